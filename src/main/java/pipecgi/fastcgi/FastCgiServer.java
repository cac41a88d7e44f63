package pipecgi.fastcgi;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import pipecgi.core.Endpoint;
import pipecgi.core.EndpointDirectory;
import pipecgi.core.ErrorLog;
import pipecgi.core.Exchange;
import pipecgi.core.ExitStatus;
import pipecgi.core.GatewayConfig;
import pipecgi.core.Response;
import pipecgi.session.Sessions;

/**
 * pipecgi as a FastCGI application: on the listening socket a web server hands it on file
 * descriptor 0 (Apache mod_fcgid, lighttpd's bin-path), or on one of its own (--fastcgi ADDRESS,
 * for nginx, mod_proxy_fcgi, lighttpd's socket). A thread per connection; the requests are the
 * core's exchanges, as for the other front ends.
 */
public final class FastCgiServer {
  /** After its service is stopped, how long a request may take to send its 503. */
  private static final long ANSWER_MILLIS = 10_000;

  private final ServerSocketChannel listener;
  /** Whether the listener is the web server's, on file descriptor 0. */
  private final boolean inherited;
  private final String where;
  private final GatewayConfig config;
  private final EndpointDirectory endpoints;
  /** The one endpoint a spawned application serves (its NAME.conf), or null for all of --dir. */
  private final String only;
  private final Map<String, String> own;
  /** pipecgi's own stderr: the web server's error log for a spawned application. */
  private final OutputStream err;
  private final ErrorLog log;
  private final Semaphore slots;
  /** Held by an application on a socket of its own; a spawned one cannot keep sessions. */
  private final Sessions sessions;
  private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
  private final Set<FastCgiConnection.Transport> connections = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile String stopping;

  private FastCgiServer(ServerSocketChannel listener, boolean inherited, GatewayConfig config,
      File conf, Map<String, String> own, OutputStream err) throws IOException {
    this.listener = listener;
    this.inherited = inherited;
    this.where = inherited ? "the socket the web server gave it" : config.address.isUnix()
        ? config.address.toString() : config.address.toString().replaceFirst(":0$", ":" + port());
    this.config = config;
    this.endpoints = new EndpointDirectory(conf == null ? config.dir : conf.getParentFile());
    this.only = conf == null ? null : name(conf.getName());
    this.own = own;
    this.err = err;
    this.log = new ErrorLog(err, only);
    this.slots = new Semaphore(config.maxConcurrent);
    this.sessions = inherited ? null : new Sessions(err);
  }

  /**
   * Serves on {@code inherited}, the listening socket of file descriptor 0, or else on the address
   * of {@code config}; {@code conf}, when given, is the one endpoint to serve. Returns once
   * listening; {@link #stop} ends it.
   */
  public static FastCgiServer start(GatewayConfig config, ServerSocketChannel inherited, File conf,
      Map<String, String> own, OutputStream err) throws IOException {
    ServerSocketChannel listener = inherited == null ? listen(config) : inherited;
    FastCgiServer s = new FastCgiServer(listener, inherited != null, config, conf, own, err);
    Thread acceptor = new Thread(s::accept, "pipecgi-fastcgi-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    s.log.line("started: FastCGI on " + s.where + (conf == null
        ? " for the endpoints of " + config.dir : " for " + conf));
    return s;
  }

  /** The FastCGI front end as the process's whole life; returns the exit status. */
  public static int run(GatewayConfig config, ServerSocketChannel inherited, File conf,
      Map<String, String> own, OutputStream err, boolean ownsProcess) {
    FastCgiServer s;
    try {
      s = start(config, inherited, conf, own, err);
    } catch (IOException e) {
      new ErrorLog(err, null).line("cannot serve FastCGI at " + config.address + ": "
          + e.getMessage());
      return ExitStatus.FAILED;
    }
    if (ownsProcess) {
      // mod_fcgid stops an idle or old application with SIGTERM.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        s.stop("pipecgi was told to stop (a signal)");
        Runtime.getRuntime().halt(ExitStatus.OK);
      }, "pipecgi-stop"));
    }
    try {
      s.stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitStatus.OK;
  }

  private static ServerSocketChannel listen(GatewayConfig config) throws IOException {
    if (config.address.isUnix()) {
      Files.deleteIfExists(config.address.socket); // one left by an application that was killed
      ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      ch.bind(UnixDomainSocketAddress.of(config.address.socket));
      Files.setPosixFilePermissions(config.address.socket,
          PosixFilePermissions.fromString("rw-rw----"));
      return ch;
    }
    ServerSocketChannel ch = ServerSocketChannel.open();
    ch.bind(config.address.inet());
    return ch;
  }

  private void accept() {
    while (stopping == null) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (IOException e) {
        if (stopping == null) {
          log.line("cannot accept a connection: " + e.getMessage());
        }
        return;
      }
      noDelay(ch);
      Transport t = new Transport(ch);
      if (stopping != null) {
        t.close();
        return;
      }
      connections.add(t);
      try {
        Thread connection = new Thread(new FastCgiConnection(t, this), "pipecgi-fastcgi");
        connection.start();
      } catch (IOException e) {
        t.close();
      }
    }
  }

  /**
   * TCP_NODELAY, on a TCP connection: each answer is one write (see {@link RecordWriter}), and
   * what Nagle's algorithm would hold back is the last piece of it.
   */
  private static void noDelay(SocketChannel ch) {
    try {
      if (ch.getLocalAddress() instanceof InetSocketAddress) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
    } catch (IOException e) {
      // a connection closed at once: its first read says so
    }
  }

  /** The port it listens on, for a TCP address (the one chosen, for port 0). */
  public int port() throws IOException {
    return ((InetSocketAddress) listener.getLocalAddress()).getPort();
  }

  ErrorLog log() {
    return log;
  }

  /** Where log lines go that a request's FCGI_STDERR can no longer carry. */
  OutputStream err() {
    return err;
  }

  /**
   * pipecgi's own environment for a request, whence pass-env names are taken: the JVM's, with the
   * request's parameters over it, where the web server puts what SetEnv or fastcgi_param set, as
   * a CGI program's one environment holds both.
   */
  Map<String, String> ownFor(Map<String, String> request) {
    Map<String, String> merged = new HashMap<>(own);
    merged.putAll(request);
    return merged;
  }

  /** GET_VALUES (section 4.1): what this application can take. */
  String value(String name) {
    switch (name) {
      case "FCGI_MAX_CONNS":
        return Integer.toString(config.maxConnections);
      case "FCGI_MAX_REQS":
        return Integer.toString(config.maxConcurrent);
      case "FCGI_MPXS_CONNS":
        return "0";
      default:
        return null;
    }
  }

  /** The endpoint a request is for, as its file is now; null when there is none. */
  Endpoint endpoint(Map<String, String> variables) {
    return endpoints.find(only != null ? only : name(script(variables)));
  }

  /** The script a request names: SCRIPT_FILENAME, or else SCRIPT_NAME. */
  static String script(Map<String, String> variables) {
    String file = variables.get("SCRIPT_FILENAME");
    return file != null && !file.isEmpty() ? file : variables.getOrDefault("SCRIPT_NAME", "");
  }

  /** NAME, from /cgi-bin/NAME.fcgi, NAME.cgi, NAME.conf or NAME. */
  private static String name(String path) {
    String file = path.substring(path.lastIndexOf('/') + 1);
    for (String suffix : new String[] {".fcgi", ".cgi", ".conf"}) {
      if (file.endsWith(suffix)) {
        return file.substring(0, file.length() - suffix.length());
      }
    }
    return file;
  }

  /** The sessions, or null for a spawned application, whose session endpoints answer 500. */
  Sessions sessions() {
    return sessions;
  }

  /** Answers an exchange, within --max-concurrent, unless stopping. */
  Response respond(Exchange e) {
    if (stopping != null) {
      e.log().line("503 Service Unavailable: " + stopping);
      return unavailable();
    }
    if (!slots.tryAcquire()) {
      e.log().line("503 Service Unavailable: " + config.maxConcurrent + " requests are running,"
          + " as many as max-concurrent allows");
      return unavailable().set("Retry-After", "1");
    }
    running.add(e);
    try {
      return e.respond();
    } finally {
      running.remove(e);
      slots.release();
    }
  }

  private static Response unavailable() {
    return Response.error(503).set("X-Content-Type-Options", "nosniff");
  }

  /**
   * Stops: no new connections; running requests have the grace period to finish, then their
   * services are stopped; then the connections are closed.
   */
  public void stop(String why) {
    try {
      stopping = "pipecgi is stopping";
      // Not the web server's socket: closing an inherited channel points file descriptors 0 to
      // 2 at /dev/null (the JDK's InheritedChannel), and the log is on 2. The process's end
      // closes it; until then a connection that comes is closed at once.
      if (!inherited) {
        listener.close();
        if (config.address.isUnix()) {
          Files.deleteIfExists(config.address.socket);
        }
      }
      int ended = sessions == null ? 0 : sessions.stop();
      int n = running.size();
      log.line("stopping: " + why + "; " + n + " request" + (n == 1 ? "" : "s") + " running, "
          + config.graceMillis / 1000.0 + " s to finish");
      awaitIdle(config.graceMillis);
      int aborted = 0;
      for (Exchange e : running) {
        e.abort(stopping + ", and the request did not finish within the grace period ("
            + config.graceMillis / 1000.0 + " s)");
        aborted++;
      }
      awaitIdle(ANSWER_MILLIS);
      for (FastCgiConnection.Transport t : connections) {
        t.close();
      }
      log.line("stopped" + (aborted == 0 ? "" : "; the services of " + aborted + " request"
          + (aborted == 1 ? " were" : "s were") + " stopped at the end of the grace period")
          + (ended == 0 ? "" : "; " + ended + " session" + (ended == 1 ? "" : "s") + " ended"));
    } catch (IOException | InterruptedException e) {
      log.line("stopped, with a problem: " + e);
    } finally {
      stopped.countDown();
    }
  }

  private void awaitIdle(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!running.isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
  }

  /** A connection's channel, its streams, and its end. */
  private final class Transport implements FastCgiConnection.Transport {
    private final SocketChannel ch;

    private final boolean tcp;

    Transport(SocketChannel ch) {
      this.ch = ch;
      boolean inet;
      try {
        inet = ch.getLocalAddress() instanceof InetSocketAddress;
      } catch (IOException e) {
        inet = false;
      }
      this.tcp = inet;
    }

    @Override
    public InputStream in() {
      return ChannelStreams.in(ch, tcp);
    }

    @Override
    public OutputStream out() {
      return ChannelStreams.out(ch); // buffered by the RecordWriter
    }

    @Override
    public void close() {
      connections.remove(this);
      try {
        ch.close();
      } catch (IOException e) {
        // closed already
      }
    }
  }
}
