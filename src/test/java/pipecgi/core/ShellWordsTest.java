package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShellWordsTest {
  static Stream<Arguments> commandsAndTheirWords() {
    return Stream.of(
        arguments("cat", List.of("cat")),
        arguments("  wc \t -l  ", List.of("wc", "-l")),
        arguments("echo 'a  b'", List.of("echo", "a  b")),
        arguments("echo \"a  b\"", List.of("echo", "a  b")),
        arguments("echo 'it'\\''s'", List.of("echo", "it's")),
        arguments("echo \"it's\"", List.of("echo", "it's")),
        arguments("echo 'say \"hi\"'", List.of("echo", "say \"hi\"")),
        arguments("echo \"say \\\"hi\\\"\"", List.of("echo", "say \"hi\"")),
        arguments("echo \"back\\\\slash\"", List.of("echo", "back\\slash")),
        arguments("echo \"a\\nb\"", List.of("echo", "a\\nb")),
        arguments("echo '\\n'", List.of("echo", "\\n")),
        arguments("echo a\\ b", List.of("echo", "a b")),
        arguments("echo \\$HOME '$HOME' \"\\$HOME\"", List.of("echo", "$HOME", "$HOME", "$HOME")),
        arguments("echo '' \"\"", List.of("echo", "", "")),
        arguments("echo a''b", List.of("echo", "ab")),
        arguments("echo a#b", List.of("echo", "a#b")),
        arguments("echo a~b", List.of("echo", "a~b")),
        arguments("echo key=value", List.of("echo", "key=value")),
        arguments("echo '|;&<>()*?[$`'", List.of("echo", "|;&<>()*?[$`")),
        arguments("/opt/my\\ prog --flag", List.of("/opt/my prog", "--flag")),
        arguments("echo 'two\nlines'", List.of("echo", "two\nlines")),
        arguments("echo con\\\ntinued", List.of("echo", "continued")),
        arguments("printf '%s\\n' é 中", List.of("printf", "%s\\n", "é", "中")));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("commandsAndTheirWords")
  void splitsQuotedWordsLikeSh(String line, List<String> words) {
    assertEquals(words, ShellWords.split(line));
  }

  /** The same table, checked against a real /bin/sh: an accepted command means the same there. */
  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("commandsAndTheirWords")
  void agreesWithARealShell(String line, List<String> words) throws Exception {
    Process sh =
        new ProcessBuilder("/bin/sh", "-c", "printf '%s\\0' " + line)
            .redirectErrorStream(true)
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sh.getInputStream().transferTo(out);
    assertEquals(0, sh.waitFor());
    String printed = out.toString(StandardCharsets.UTF_8);
    List<String> fromSh = new ArrayList<>();
    for (int start = 0, nul; (nul = printed.indexOf('\0', start)) >= 0; start = nul + 1) {
      fromSh.add(printed.substring(start, nul));
    }
    // printf printed every word of the line, the program name ("echo", ...) included.
    assertEquals(words, fromSh);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "cat | wc",
        "cat > out",
        "cat < in",
        "cat; id",
        "cat && id",
        "cat &",
        "echo $HOME",
        "echo ${HOME}",
        "echo $(id)",
        "echo `id`",
        "echo \"$HOME\"",
        "echo \"`id`\"",
        "ls *.txt",
        "ls file?",
        "ls [ab]",
        "(cat)",
        "# a comment",
        "cat # trailing comment",
        "echo ~/file",
        "FOO=bar cat",
      })
  void refusesWhatOnlyAShellUnderstands(String line) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line));
    assertTrue(e.getMessage().contains("only a shell understands"), e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"", "   ", "echo 'open", "echo \"open", "echo end\\", "cat\u0000x"})
  void refusesEmptyUnterminatedAndControlCharacters(String line) {
    assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line));
  }
}
