package pipecgi.core;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * One configured endpoint: a configuration, validated once, and the error log its lines go to.
 * Immutable, so any number of requests share it; each request is an {@link Exchange} it opens.
 * An endpoint whose configuration cannot be used still answers, with 500 and one log line per
 * request, as a CGI program with a broken configuration does.
 */
public final class Endpoint {
  private final String name;
  private final EndpointConfig config;
  /** Why the configuration cannot be used, or null. */
  private final String problem;
  private final ErrorLog log;

  private Endpoint(String name, EndpointConfig config, String problem, ErrorLog log) {
    this.name = name;
    this.config = config;
    this.problem = problem;
    this.log = log;
  }

  /** An endpoint that logs to {@code err} as {@code pipecgi[NAME]: }. */
  public static Endpoint of(EndpointConfig config, OutputStream err) {
    return new Endpoint(config.name, config, null, new ErrorLog(err, config.name));
  }

  /** An endpoint named {@code name} whose configuration cannot be used, for {@code problem}. */
  public static Endpoint broken(String name, String problem, OutputStream err) {
    return new Endpoint(name, null, problem, new ErrorLog(err, name));
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

  public ErrorLog log() {
    return log;
  }

  /**
   * Opens the exchange for one request: {@code request} holds its meta-variables (RFC 3875),
   * {@code own} pipecgi's own environment (from which only pass-env names reach the service), and
   * {@code body} the request body.
   */
  public Exchange open(Map<String, String> request, Map<String, String> own, InputStream body) {
    return new Exchange(this, request, own, body);
  }
}
