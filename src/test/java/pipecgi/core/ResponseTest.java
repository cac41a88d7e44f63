package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pipecgi.Cgi;

class ResponseTest {
  private static Spool spool(String text) throws Exception {
    byte[] b = Cgi.bytes(text);
    Spool s = new Spool(1024, 1024);
    s.write(b, 0, b.length);
    return s;
  }

  private static String write(Response r, boolean head) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeTo(out, head);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void headersAreCrlfTerminatedWithStatusFirstAndAnExactLength() throws Exception {
    Response r = new Response(200, "", spool("héllo"), 0).add("Content-Type", "text/plain");
    assertEquals(
        "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nh\u00c3\u00a9llo",
        write(r, false));
  }

  @Test
  void headSendsTheSameHeadersAndNoBody() throws Exception {
    Response r = new Response(200, "", spool("hello"), 0).add("Content-Type", "text/plain");
    assertEquals("Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n", write(r, true));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {204, 304})
  void noLengthAndNoBodyOn204And304(int status) throws Exception {
    String reason = Response.reasonPhrase(status);
    assertEquals("Status: " + status + " " + reason + "\r\n\r\n", write(Response.empty(status), false));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {400, 405, 413, 500, 502, 504})
  void errorResponsesNameTheStatusAndNothingElse(int status) throws Exception {
    String text = status + " " + Response.reasonPhrase(status) + "\n";
    assertEquals(
        "Status: " + status + " " + Response.reasonPhrase(status) + "\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + text.length() + "\r\n\r\n" + text,
        write(Response.error(status), false));
  }

  @Test
  void aResponseInMemoryGoesOutInOneWrite() throws Exception {
    int[] writes = {0};
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    OutputStream counting =
        new OutputStream() {
          @Override
          public void write(int b) {
            writes[0]++;
            all.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            writes[0]++;
            all.write(b, off, len);
          }
        };
    new Response(200, "", spool("x".repeat(1000)), 0).writeTo(counting, false);
    assertEquals(1, writes[0]);
  }

  @Test
  void bodyOffsetSkipsTheServicesHeaders() throws Exception {
    Response r = new Response(201, "Done", spool("H: v\n\nbody"), 6);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeTo(out, false);
    assertArrayEquals(Cgi.bytes("Status: 201 Done\r\nContent-Length: 4\r\n\r\nbody"), out.toByteArray());
  }
}
