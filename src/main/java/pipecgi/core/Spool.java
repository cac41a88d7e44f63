package pipecgi.core;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Bytes held in memory up to a threshold, then in a private temporary file, up to a limit. Knowing
 * the exact size before sending anything is what makes the Content-Length exact.
 *
 * <p>The temporary file is created with {@code O_EXCL} and mode 0600, and unlinked as soon as it is
 * open (DELETE_ON_CLOSE does that on Unix), so no other user can read it and nothing is left behind,
 * even if pipecgi is killed with SIGKILL.
 */
final class Spool implements Closeable {
  private static final int CHUNK = 64 * 1024;
  private static final Set<StandardOpenOption> TEMP_FILE_OPTIONS =
      EnumSet.of(
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ,
          StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE);

  private final int memoryLimit;
  private final long limit;
  private byte[] memory = new byte[0];
  private FileChannel file;
  private long size;
  private boolean overflowed;

  /** Keeps up to {@code memoryLimit} bytes in memory and refuses to hold more than {@code limit}. */
  Spool(int memoryLimit, long limit) {
    this.memoryLimit = memoryLimit;
    this.limit = limit;
  }

  /**
   * Appends {@code len} bytes, or returns false and keeps nothing more once the total would pass
   * the limit.
   */
  boolean write(byte[] b, int off, int len) throws IOException {
    if (overflowed || len > limit - size) {
      overflowed = true;
      return false;
    }
    if (file == null && size + len <= memoryLimit) {
      growMemory((int) size + len);
      System.arraycopy(b, off, memory, (int) size, len);
    } else {
      try {
        if (file == null) {
          moveToFile();
        }
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          file.write(buffer, size + buffer.position() - off);
        }
      } catch (IOException e) {
        throw new StorageException(e);
      }
    }
    size += len;
    return true;
  }

  /** The bytes could not be kept: the temporary directory cannot be written, or is full. */
  static final class StorageException extends IOException {
    private static final long serialVersionUID = 1L;

    StorageException(IOException cause) {
      super("cannot write a temporary file in " + System.getProperty("java.io.tmpdir") + " ("
          + (cause instanceof java.nio.file.AccessDeniedException ? "permission denied"
              : cause instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
              : cause.getMessage()) + ")", cause);
    }
  }

  /** Reads {@code in} to its end into this spool; returns false if that passed the limit. */
  boolean readFrom(java.io.InputStream in) throws IOException {
    byte[] buffer = new byte[CHUNK];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      if (!write(buffer, 0, n)) {
        return false;
      }
    }
    return true;
  }

  long size() {
    return size;
  }

  boolean overflowed() {
    return overflowed;
  }

  boolean inMemory() {
    return file == null;
  }

  /** The bytes from {@code from} on, when they are held in memory; else null. */
  ByteBuffer memory(long from) {
    return file == null ? ByteBuffer.wrap(memory, (int) from, (int) (size - from)) : null;
  }

  /** The first {@code max} bytes, or all of them if there are fewer. */
  byte[] head(int max) throws IOException {
    int n = (int) Math.min(size, max);
    byte[] head = new byte[n];
    if (file == null) {
      System.arraycopy(memory, 0, head, 0, n);
    } else {
      readFully(ByteBuffer.wrap(head), 0);
    }
    return head;
  }

  /**
   * Writes {@code prefix} and then the bytes from offset {@code from} on. When everything is in
   * memory it goes out in one write, so a web server reading the pipe gets the whole response,
   * and its end, at once.
   */
  void writeTo(OutputStream out, byte[] prefix, long from) throws IOException {
    if (file == null) {
      int n = (int) (size - from);
      byte[] all = new byte[prefix.length + n];
      System.arraycopy(prefix, 0, all, 0, prefix.length);
      System.arraycopy(memory, (int) from, all, prefix.length, n);
      out.write(all);
    } else {
      out.write(prefix);
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
      for (long position = from; position < size; ) {
        buffer.clear().limit((int) Math.min(CHUNK, size - position));
        readFully(buffer, position);
        out.write(buffer.array(), 0, buffer.limit());
        position += buffer.limit();
      }
    }
    out.flush();
  }

  /**
   * Releases the temporary file. Another thread may still be reading (the stdin feeder of a
   * service that exited without reading its input): it gets an IOException, never a half-freed
   * spool, so nothing but the file descriptor is released.
   */
  @Override
  public void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        // Already unlinked: closing only releases the descriptor.
      }
    }
  }

  private void growMemory(int needed) {
    if (needed > memory.length) {
      int capacity = (int) Math.min(memoryLimit, Math.max(needed, Math.max(8192L, 2L * memory.length)));
      byte[] grown = new byte[capacity];
      System.arraycopy(memory, 0, grown, 0, (int) size);
      memory = grown;
    }
  }

  private void moveToFile() throws IOException {
    file = createTempFile();
    ByteBuffer buffer = ByteBuffer.wrap(memory, 0, (int) size);
    while (buffer.hasRemaining()) {
      file.write(buffer, buffer.position());
    }
    memory = new byte[0];
  }

  private void readFully(ByteBuffer buffer, long position) throws IOException {
    int start = buffer.position();
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position() - start) < 0) {
        throw new IOException("temporary file shorter than expected");
      }
    }
    buffer.flip();
  }

  private static FileChannel createTempFile() throws IOException {
    File dir = new File(System.getProperty("java.io.tmpdir"));
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    for (int attempt = 0; ; attempt++) {
      Path path =
          dir.toPath()
              .resolve("pipecgi-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
      try {
        return FileChannel.open(
            path, TEMP_FILE_OPTIONS, PosixFilePermissions.asFileAttribute(ownerOnly));
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }
}
