package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * One configured endpoint: a configuration, validated once. Immutable, so any number of requests
 * share it; each request is an {@link Exchange} it opens. An endpoint whose configuration cannot be
 * used still answers, with 500 and one log line per request, as a CGI program with a broken
 * configuration does.
 */
public final class Endpoint {
  private final String name;
  private final EndpointConfig config;
  /** Why the configuration cannot be used, or null. */
  private final String problem;

  private Endpoint(String name, EndpointConfig config, String problem) {
    this.name = name;
    this.config = config;
    this.problem = problem;
  }

  public static Endpoint of(EndpointConfig config) {
    return new Endpoint(config.name, config, null);
  }

  /** An endpoint named {@code name} whose configuration cannot be used, for {@code problem}. */
  public static Endpoint broken(String name, String problem) {
    return new Endpoint(name, null, problem);
  }

  public String name() {
    return name;
  }

  /** The configuration, or null when it cannot be used. */
  public EndpointConfig config() {
    return config;
  }

  /** Why the configuration cannot be used, or null. */
  public String problem() {
    return problem;
  }

  /**
   * Starts the service of a session endpoint for a session that {@code request} opens: the
   * program rules and the environment are a request's, its stdin, stdout and stderr pipes are
   * the caller's to use, and {@link ProcessTree#stop} stops it.
   */
  public Process startService(Map<String, String> request, Map<String, String> own)
      throws HttpError {
    File program;
    try {
      program = ServiceProgram.check(config.command.get(0));
    } catch (ServiceProgram.Problem e) {
      throw e.refused
          ? new HttpError(500, "refused to run the service: " + e.getMessage())
          : new HttpError(502, "cannot start the service: " + e.getMessage());
    }
    Map<String, String> env = ServiceEnv.build(request, own, 0, config.passEnv);
    env.remove("CONTENT_LENGTH"); // its stdin is the conversation, not a body
    try {
      return ProcessTree.builder(program, config.command, config.workdir, env).start();
    } catch (IOException e) {
      throw new HttpError(502, "cannot start the service: " + e.getMessage());
    }
  }

  /**
   * Opens the exchange for one request: {@code request} holds its meta-variables (RFC 3875),
   * {@code own} pipecgi's own environment (from which only pass-env names reach the service),
   * {@code body} the request body, and {@code err} takes its log lines (the server's error log).
   */
  public Exchange open(Map<String, String> request, Map<String, String> own, InputStream body,
      OutputStream err) {
    return new Exchange(this, request, own, body, new ErrorLog(err, name));
  }
}
