package pipecgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake forward proxy: CONNECT opens a tunnel to the host and port it names; a request that
 * names a whole URL (the absolute form) is passed on to that URL's host and port as it is, with
 * the rest of the connection. It notes the first line of each connection.
 */
final class FakeProxy implements AutoCloseable {
  final List<String> firstLines = new CopyOnWriteArrayList<>();
  private final ServerSocket listener;

  private FakeProxy() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  static FakeProxy start() throws IOException {
    FakeProxy proxy = new FakeProxy();
    Thread t = new Thread(proxy::accept, "fake-proxy");
    t.setDaemon(true);
    t.start();
    return proxy;
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Thread t = new Thread(() -> serve(client), "fake-proxy-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try {
      // Unbuffered: whatever follows the first line is passed on untouched.
      InputStream in = client.getInputStream();
      String first = FakeServer.line(in);
      if (first == null) {
        client.close();
        return;
      }
      firstLines.add(first);
      String[] parts = first.split(" ");
      Socket server;
      if (parts[0].equals("CONNECT")) {
        while (!FakeServer.line(in).isEmpty()) {
          // the CONNECT's headers
        }
        String[] hostPort = parts[1].split(":");
        server = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
        client.getOutputStream().write(FakeServer.ascii("HTTP/1.1 200 Connection established"
            + "\r\n\r\n"));
      } else {
        URI uri = URI.create(parts[1]);
        server = new Socket(uri.getHost(), uri.getPort());
        server.getOutputStream().write(FakeServer.ascii(first + "\r\n"));
      }
      pipe(in, server.getOutputStream(), client, server);
      pipe(server.getInputStream(), client.getOutputStream(), client, server);
    } catch (IOException | RuntimeException e) {
      close(client, null);
    }
  }

  /** Copies {@code from} to {@code to} on a thread of its own; then closes both sockets. */
  private static void pipe(InputStream from, OutputStream to, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      try {
        from.transferTo(to);
      } catch (IOException e) {
        // one side went away
      }
      close(a, b);
    }, "fake-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket a, Socket b) {
    for (Socket s : new Socket[] {a, b}) {
      try {
        if (s != null) {
          s.close();
        }
      } catch (IOException e) {
        // closed already
      }
    }
  }
}
