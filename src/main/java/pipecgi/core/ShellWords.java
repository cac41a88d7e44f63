package pipecgi.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into argv the way POSIX sh would, without running a shell: single quotes,
 * double quotes and backslash work as in sh. Anything that would make sh do more than split words
 * (pipes, redirections, variables, globs, comments, a leading {@code NAME=value}) is refused rather
 * than passed on literally, so a command that works here means the same thing in a shell.
 */
final class ShellWords {
  private static final String METACHARACTERS = "|&;<>()$`*?[";

  private final String line;
  private final List<String> words = new ArrayList<>();
  private final StringBuilder word = new StringBuilder();
  private boolean inWord;
  private boolean wordQuoted;
  private int i;

  private ShellWords(String line) {
    this.line = line;
  }

  /**
   * Returns the words of {@code line}; throws with a message that completes "the command ...",
   * saying what was refused and why.
   */
  static List<String> split(String line) {
    ShellWords s = new ShellWords(line);
    s.run();
    if (s.words.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    return s.words;
  }

  private void run() {
    while (i < line.length()) {
      char c = line.charAt(i++);
      if (c == ' ' || c == '\t' || c == '\n') {
        endWord();
      } else if (c == '\'') {
        startWord(true);
        singleQuoted();
      } else if (c == '"') {
        startWord(true);
        doubleQuoted();
      } else if (c == '\\') {
        backslash();
      } else {
        plain(c);
      }
    }
    endWord();
  }

  private void plain(char c) {
    if (c < 0x20 || c == 0x7f) {
      throw refused("a control character (" + (int) c + ")");
    }
    if (METACHARACTERS.indexOf(c) >= 0 || (!inWord && (c == '#' || c == '~'))) {
      throw refused("an unquoted '" + c + "'");
    }
    if (c == '=' && words.isEmpty() && !wordQuoted && isName(word)) {
      throw new IllegalArgumentException(
          "starts with a variable assignment ("
              + word
              + "=...), which only a shell understands; use pass-env, or run env(1)");
    }
    startWord(false);
    word.append(c);
  }

  private void backslash() {
    if (i == line.length()) {
      throw refused("a backslash at the end");
    }
    char next = line.charAt(i++);
    if (next != '\n') {
      startWord(true);
      word.append(next);
    }
  }

  private void singleQuoted() {
    int end = line.indexOf('\'', i);
    if (end < 0) {
      throw refused("an unterminated single quote");
    }
    word.append(line, i, end);
    i = end + 1;
  }

  private void doubleQuoted() {
    while (i < line.length()) {
      char c = line.charAt(i++);
      if (c == '"') {
        return;
      } else if (c == '$' || c == '`') {
        throw refused("'" + c + "' inside double quotes (a shell would expand it)");
      } else if (c == '\\' && i < line.length() && "$`\"\\\n".indexOf(line.charAt(i)) >= 0) {
        char next = line.charAt(i++);
        if (next != '\n') {
          word.append(next);
        }
      } else {
        word.append(c);
      }
    }
    throw refused("an unterminated double quote");
  }

  private void startWord(boolean quoted) {
    inWord = true;
    wordQuoted |= quoted;
  }

  private void endWord() {
    if (inWord) {
      words.add(word.toString());
      word.setLength(0);
      inWord = false;
      wordQuoted = false;
    }
  }

  private IllegalArgumentException refused(String what) {
    return new IllegalArgumentException(
        "has "
            + what
            + " at character "
            + i
            + ", which only a shell understands; pipecgi runs no shell (quote it, or run"
            + " /bin/sh -c '...' yourself)");
  }

  /** Whether {@code s} is a shell variable name: a letter or '_', then letters, digits, '_'. */
  static boolean isName(CharSequence s) {
    if (s.length() == 0 || (s.charAt(0) >= '0' && s.charAt(0) <= '9')) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
