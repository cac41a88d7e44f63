package pipecgi.fastcgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * A connection's two directions as streams that one thread can read while another writes. Not
 * {@code Channels.newInputStream}: its streams take the channel's one blocking lock, so a writer
 * would wait for a reader that waits for the peer. A Unix-domain channel has no socket adaptor,
 * so the streams call the channel, whose reads and writes have locks of their own.
 */
final class ChannelStreams {
  private ChannelStreams() {}

  /**
   * The reading direction. Over TCP, each read first asks the kernel to acknowledge at once
   * (TCP_QUICKACK, which does not last): a server that writes a request's records in several
   * small writes without TCP_NODELAY (nginx to a FastCGI upstream) sends the next only once the
   * last is acknowledged, and a delayed acknowledgement made a 19 KB request wait 40 ms.
   */
  static InputStream in(SocketChannel ch, boolean tcp) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (tcp) {
          ch.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        }
        return len == 0 ? 0 : ch.read(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  static OutputStream out(SocketChannel ch) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
      }
    };
  }
}
