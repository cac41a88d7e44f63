package pipecgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * Pipelined requests written in one burst on another thread while the test reads the answers: a
 * server stops reading a connection whose answers are not read, so writing it all first could
 * block forever.
 */
public final class Burst {
  private Burst() {}

  /** A connection's way of writing bytes. */
  public interface Sender {
    void send(byte[] bytes) throws IOException;
  }

  /** Starts writing {@code bytes} with {@code sender}; join the result once all is read. */
  public static CompletableFuture<Void> sendAside(Sender sender, byte[] bytes) {
    return CompletableFuture.runAsync(() -> {
      try {
        sender.send(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
