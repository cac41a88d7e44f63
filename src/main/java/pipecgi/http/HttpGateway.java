package pipecgi.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import pipecgi.core.EndpointDirectory;
import pipecgi.core.ErrorLog;
import pipecgi.core.ExitStatus;
import pipecgi.core.GatewayConfig;

/**
 * The warm gateway: one long-lived process that serves every endpoint of a directory over
 * HTTP/1.1 (keep-alive, pipelining, chunked bodies, Expect: 100-continue) with Jetty, so that a
 * message costs a process start rather than a JVM start. This class only wires Jetty together; the
 * answering is {@link EndpointHandler}'s, and the rest is the core's, as for a CGI request.
 */
public final class HttpGateway {
  /** Largest request line (414 beyond) and header block (431 beyond), as Apache's defaults. */
  private static final int MAX_HEADER_BYTES = 8192;
  /** Threads beyond the running requests': Jetty's selectors and acceptors, and quick answers. */
  private static final int SPARE_THREADS = 32;

  private final GatewayConfig config;
  private final ErrorLog log;
  private final Server server;
  private final EndpointHandler handler;
  private final HeaderTimeout headerTimeout;
  private final AbstractConnector connector;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private HttpGateway(GatewayConfig config, Map<String, String> own, OutputStream err) {
    this.config = config;
    this.log = new ErrorLog(err, null);
    JettyLog.install(log);
    QueuedThreadPool threads = new QueuedThreadPool(config.maxConcurrent + SPARE_THREADS, 8);
    threads.setName("pipecgi-http");
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    http.setUriCompliance(UriCompliance.DEFAULT);
    HttpConnectionFactory factory = new HttpConnectionFactory(http);
    connector = config.address.isUnix()
        ? new UnixDomainServerConnector(server, factory)
        : new ServerConnector(server, factory);
    if (connector instanceof UnixDomainServerConnector unix) {
      unix.setUnixDomainPath(config.address.socket);
    } else {
      ServerConnector tcp = (ServerConnector) connector;
      tcp.setHost(config.address.host);
      tcp.setPort(config.address.port);
    }
    connector.setIdleTimeout(config.idleTimeoutMillis);
    headerTimeout = new HeaderTimeout(config.headerTimeoutMillis, log);
    connector.addEventListener(headerTimeout);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(config.maxConnections, connector));
    handler = new EndpointHandler(new EndpointDirectory(config.dir), config, own, err,
        "pipecgi/" + version());
    server.setHandler(routes(config, handler, log));
    server.setErrorHandler(new ErrorPage(log));
    if (!config.quiet) {
      server.setRequestLog(new AccessLog(err));
    }
  }

  /** The endpoints first; then the pages, if any; then 404. */
  private static Handler routes(GatewayConfig config, EndpointHandler endpoints, ErrorLog log) {
    String where = " (no NAME.conf for it in " + config.dir
        + (config.prefix.isEmpty() ? "" : ", under " + config.prefix + "/")
        + (config.www == null ? "" : ", and no file of " + config.www) + ")";
    NotFound notFound = new NotFound(log, where);
    if (config.www == null) {
      return new Handler.Sequence(endpoints, notFound);
    }
    ResourceHandler pages = new ResourceHandler();
    pages.setBaseResource(ResourceFactory.root().newResource(config.www.toPath()));
    pages.setDirAllowed(false);
    pages.setWelcomeFiles(List.of("index.html"));
    return new Handler.Sequence(endpoints, pages, notFound);
  }

  /**
   * Starts serving, says so in the log, and returns once the gateway is listening. Failing to
   * listen (the port is taken, the socket's directory missing) throws, with the reason.
   */
  public static HttpGateway start(GatewayConfig config, Map<String, String> own, OutputStream err)
      throws Exception {
    HttpGateway g = new HttpGateway(config, own, err);
    if (config.address.isUnix()) {
      Files.deleteIfExists(config.address.socket); // one left by a gateway that was killed
    }
    g.server.start();
    if (config.address.isUnix()) {
      // The proxy on this host (its group) may connect; nobody else.
      Files.setPosixFilePermissions(config.address.socket,
          PosixFilePermissions.fromString("rw-rw----"));
    }
    g.headerTimeout.start(g.server.getScheduler());
    g.log.line("started: serving the endpoints of " + config.dir + " at " + g.where() + " ("
        + String.join(", ", new EndpointDirectory(config.dir).names()) + ")");
    return g;
  }

  /**
   * {@code java -jar pipecgi.jar --http ADDRESS}: serves until SIGTERM (or SIGINT), then stops
   * gracefully, and returns the exit status.
   */
  public static int run(GatewayConfig config, Map<String, String> own, OutputStream err,
      boolean ownsProcess) {
    HttpGateway g;
    try {
      g = start(config, own, err);
    } catch (Exception e) {
      new ErrorLog(err, null).line("cannot serve at " + config.address + ": " + e.getMessage());
      return ExitStatus.FAILED;
    }
    if (ownsProcess) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        g.stop("pipecgi was told to stop (a signal)");
        // A stop that went as planned: exit 0, not the JVM's 143 for a SIGTERM.
        Runtime.getRuntime().halt(ExitStatus.OK);
      }, "pipecgi-stop"));
    }
    try {
      g.stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitStatus.OK;
  }

  /** Where it listens, as a URL or a socket path. */
  public String where() {
    if (config.address.isUnix()) {
      return "unix:" + config.address.socket;
    }
    return "http://" + config.address.host + ":" + port() + config.prefix + "/";
  }

  /** The TCP port it listens on (the one chosen, for port 0). */
  public int port() {
    return ((ServerConnector) connector).getLocalPort();
  }

  /** The socket's path, for a Unix-domain gateway. */
  public Path socket() {
    return config.address.socket;
  }

  /**
   * Stops: no new connections, and new requests on open ones get 503; running requests have the
   * grace period to finish, then their services are stopped; then the connections are closed.
   */
  public void stop(String why) {
    try {
      stopAccepting();
      int running = handler.running();
      log.line("stopping: " + why + "; " + running + " request" + (running == 1 ? "" : "s")
          + " running, " + config.graceMillis / 1000.0 + " s to finish");
      int sessions = handler.endSessions();
      int aborted = handler.stop("pipecgi is stopping", config.graceMillis);
      headerTimeout.stop();
      server.stop();
      if (config.address.isUnix()) {
        Files.deleteIfExists(config.address.socket);
      }
      log.line("stopped" + (aborted == 0 ? "" : "; the services of " + aborted + " request"
          + (aborted == 1 ? " were" : "s were") + " stopped at the end of the grace period")
          + (sessions == 0 ? "" : "; " + sessions + " session" + (sessions == 1 ? "" : "s")
          + " ended"));
    } catch (Exception e) {
      log.line("stopped, with a problem: " + e);
    } finally {
      stopped.countDown();
    }
  }

  /** Closes the listening socket; for a Unix-domain one, its path goes too. */
  private void stopAccepting() throws IOException {
    if (connector instanceof ServerConnector tcp) {
      tcp.close();
    } else {
      connector.setAccepting(false);
      Files.deleteIfExists(config.address.socket);
    }
  }

  private static String version() {
    String v = HttpGateway.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
