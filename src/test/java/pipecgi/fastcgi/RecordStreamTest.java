package pipecgi.fastcgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import pipecgi.core.ErrorLog;

/** A request's log lines survive the connection that should have carried them. */
class RecordStreamTest {
  /** A connection that the web server has closed. */
  private static final OutputStream CLOSED = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("Broken pipe");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException("Broken pipe");
    }
  };

  @Test
  void aLogLineThatTheConnectionCannotCarryGoesToPipecgisOwnStderr() {
    ByteArrayOutputStream own = new ByteArrayOutputStream();
    OutputStream stderr = new RecordStream(new RecordWriter(CLOSED), Record.STDERR, 1, own);
    new ErrorLog(stderr, "echo").line("503 Service Unavailable: the web server closed the"
        + " FastCGI connection");
    assertEquals("pipecgi[echo]: 503 Service Unavailable: the web server closed the FastCGI"
        + " connection\n", own.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anAnswerThatCannotBeSentFailsItsRequest() {
    RecordWriter writer = new RecordWriter(CLOSED);
    OutputStream stdout = new RecordStream(writer, Record.STDOUT, 1);
    assertThrows(IOException.class, () -> {
      stdout.write("Status: 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      writer.endRequest(1, 0, Record.REQUEST_COMPLETE); // the answer goes out with it
    });
  }
}
