package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A warm gateway's endpoints: read once, read again when their file changes. */
class EndpointDirectoryTest {
  @TempDir Path dir;

  private EndpointDirectory endpoints() {
    return new EndpointDirectory(dir.toFile());
  }

  @Test
  void anEndpointIsReadOnceWhileItsFileStaysTheSame() throws Exception {
    Files.writeString(dir.resolve("echo.conf"), "command = /bin/cat\n");
    EndpointDirectory d = endpoints();
    assertSame(d.find("echo"), d.find("echo"));
  }

  @Test
  void aChangedFileIsReadAgainEvenWithTheSameSizeAndTime() throws Exception {
    Path conf = Files.writeString(dir.resolve("echo.conf"), "command = /bin/cat\n");
    FileTime time = Files.getLastModifiedTime(conf);
    EndpointDirectory d = endpoints();
    Endpoint first = d.find("echo");
    // An editor that writes a new file and renames it over the old one: a new file.
    Path next = Files.writeString(dir.resolve("echo.conf.new"), "command = /bin/tac\n");
    Files.setLastModifiedTime(next, time);
    Files.move(next, conf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Endpoint second = d.find("echo");
    assertNotSame(first, second);
    assertEquals(List.of("/bin/tac"), second.config().command);
  }

  @Test
  void aBrokenFileGivesAnEndpointThatSaysWhy() throws Exception {
    Files.writeString(dir.resolve("bad.conf"), "command = /bin/cat\ntimeout = soon\n");
    Endpoint e = endpoints().find("bad");
    assertNull(e.config());
    assertEquals(dir.resolve("bad.conf") + " line 2: timeout: 'soon' is not a number of seconds"
        + " from 0.001 to 86400 (like 30 or 2.5)", e.problem());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", ".hidden", "..", "../etc/passwd", "a/b", "a b", "nothing-here",
      "x\u00e9"})
  void onlyANameOfAConfigurationFileHereFindsAnEndpoint(String name) throws Exception {
    Files.writeString(dir.resolve(".hidden.conf"), "command = /bin/cat\n");
    assertNull(endpoints().find(name));
  }

  @Test
  void namesAreTheConfigurationFilesSorted() throws Exception {
    for (String f : List.of("wc.conf", "echo.conf", "notes.txt", ".x.conf", "chat.conf")) {
      Files.writeString(dir.resolve(f), "command = /bin/cat\n");
    }
    Files.createDirectory(dir.resolve("dir.conf"));
    assertEquals(List.of("chat", "echo", "wc"), endpoints().names());
  }
}
