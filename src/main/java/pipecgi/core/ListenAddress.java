package pipecgi.core;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Where a gateway listens: a TCP host and port, or a Unix-domain socket's path. */
public final class ListenAddress {
  private static final String UNIX = "unix:";

  /** The host to listen on, when the address is a TCP one. */
  public final String host;
  public final int port;
  /** The socket's path, or null for TCP. */
  public final Path socket;

  private ListenAddress(String host, int port, Path socket) {
    this.host = host;
    this.port = port;
    this.socket = socket;
  }

  /** {@code [HOST:]PORT} (HOST 127.0.0.1 by default; an IPv6 one in brackets) or {@code unix:PATH}. */
  static ListenAddress parse(Setting s) throws UsageException {
    String t = s.text;
    if (t.startsWith(UNIX)) {
      String path = t.substring(UNIX.length());
      if (path.isEmpty()) {
        throw s.invalid("names no socket path (unix:/run/pipecgi/pipecgi.sock)");
      }
      return new ListenAddress(null, -1, Setting.resolve(path, s.base).toPath());
    }
    int colon = t.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    long port = Setting.digits(t.substring(colon + 1));
    if (host.isEmpty() || port < 0 || port > 65535) {
      throw s.invalid("is not [HOST:]PORT (like 8080 or 127.0.0.1:8080, 0 for any free port) or"
          + " unix:PATH");
    }
    return new ListenAddress(host, (int) port, null);
  }

  public boolean isUnix() {
    return socket != null;
  }

  public InetSocketAddress inet() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    if (isUnix()) {
      return UNIX + socket;
    }
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
