package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LogTextTest {
  static Stream<Arguments> bytesAndTheirLogText() {
    return Stream.of(
        arguments(new byte[] {'o', 'k', '\t', '!'}, "ok\t!"),
        arguments(new byte[] {'a', '\\', 'b'}, "a\\\\b"),
        arguments(new byte[] {'a', '\n', 'b', '\r'}, "a\\x0ab\\x0d"),
        arguments(new byte[] {0x1b, '[', '3', '1', 'm'}, "\\x1b[31m"),
        arguments(new byte[] {0, 0x7f}, "\\x00\\x7f"),
        arguments("é 中 😀".getBytes(StandardCharsets.UTF_8), "é 中 😀"),
        // C1 controls are controls too: U+0085 (NEL) and U+009B (CSI) in UTF-8
        arguments(new byte[] {(byte) 0xc2, (byte) 0x85, (byte) 0xc2, (byte) 0x9b}, "\\xc2\\x85\\xc2\\x9b"),
        // malformed UTF-8: a bare byte, a lone continuation, an overlong '/', a surrogate, a cut end
        arguments(new byte[] {(byte) 0xff}, "\\xff"),
        arguments(new byte[] {(byte) 0x80}, "\\x80"),
        arguments(new byte[] {(byte) 0xc0, (byte) 0xaf}, "\\xc0\\xaf"),
        arguments(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\\xed\\xa0\\x80"),
        arguments(new byte[] {'a', (byte) 0xe4, (byte) 0xb8}, "a\\xe4\\xb8"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("bytesAndTheirLogText")
  void controlCharactersAndMalformedUtf8AreEscaped(byte[] in, String expected) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogText.escape(in, 0, in.length, out);
    assertEquals(expected, out.toString(StandardCharsets.UTF_8));
  }
}
