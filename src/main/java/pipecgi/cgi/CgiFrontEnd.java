package pipecgi.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import pipecgi.core.Endpoint;
import pipecgi.core.EndpointConfig;
import pipecgi.core.ErrorLog;
import pipecgi.core.Exchange;
import pipecgi.core.ExitStatus;
import pipecgi.core.Response;

/**
 * pipecgi as a CGI program (RFC 3875): the request's meta-variables are its environment, the body
 * its stdin, the response goes to stdout and the log to stderr, and the process ends with the
 * request. Streams and environment are arguments, so it runs in-process in the tests.
 */
public final class CgiFrontEnd {
  private final Map<String, String> env;
  private final InputStream in;
  private final OutputStream out;
  private final OutputStream err;

  public CgiFrontEnd(Map<String, String> env, InputStream in, OutputStream out,
      OutputStream err) {
    this.env = env;
    this.in = in;
    this.out = out;
    this.err = err;
  }

  /**
   * Answers the request in the environment. With {@code ownsProcess}, the JVM's stop (the server
   * sends SIGTERM when the client leaves or its own timeout passes) stops the service too.
   */
  public int serve(EndpointConfig config, boolean ownsProcess) {
    // For a CGI program, the request's variables and its own environment are one.
    Exchange exchange = Endpoint.of(config).open(env, env, in, err);
    if (ownsProcess) {
      // No need to remove it: the process ends with this request.
      Runtime.getRuntime().addShutdownHook(new AbortOnSignal(exchange));
    }
    try {
      Response response = exchange.respond();
      response.writeTo(out, exchange.isHead());
      if (!exchange.readWholeBody()) {
        discardRequestBody();
      }
      refreshStartupArchive();
      return ExitStatus.OK;
    } catch (IOException x) {
      exchange.log().line("cannot send the response (the client has probably gone): "
          + x.getMessage());
      return ExitStatus.FAILED;
    } finally {
      exchange.close();
    }
  }

  /** The configuration cannot be used: a 500 for the client, the reason for the log. */
  public int badConfiguration(String message) {
    new ErrorLog(err, null).line("500 Internal Server Error: bad configuration: " + message);
    try {
      Response.error(500).set("X-Content-Type-Options", "nosniff").writeTo(out, false);
      discardRequestBody();
    } catch (IOException x) {
      // Nothing more to say to a client that has gone.
    }
    return ExitStatus.BAD_CONFIGURATION;
  }

  /** The response is out: now is the time to start making an archive, if none fits. */
  private void refreshStartupArchive() {
    StartupArchive archive = StartupArchive.of(env);
    if (archive != null) {
      archive.refreshInBackground();
    }
  }

  /** Under a web server only: from a terminal, stdin is a person, who is not waited for. */
  private void discardRequestBody() {
    if (env.get("REQUEST_METHOD") != null) {
      UnreadBody.discard(in);
    }
  }

  /** Aborts the request when the JVM is told to stop (SIGTERM, SIGINT, SIGHUP). */
  private static final class AbortOnSignal extends Thread {
    private final Exchange exchange;

    AbortOnSignal(Exchange exchange) {
      super("pipecgi-abort");
      this.exchange = exchange;
    }

    @Override
    public void run() {
      exchange.abort("pipecgi was told to stop (a signal from the server)");
      exchange.close();
    }
  }

  /**
   * The JDK's process machinery takes a third of a request to initialise (its reaper thread pool
   * and lambdas): started first thing, on a second core, that happens while the options, the
   * configuration and the body are read.
   */
  public static void warmUp() {
    Thread warmUp = new Thread(new WarmUpProcessHandling(), "pipecgi-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
  }

  private static final class WarmUpProcessHandling implements Runnable {
    @Override
    public void run() {
      ProcessHandle.current();
    }
  }
}
