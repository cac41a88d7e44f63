package pipecgi.selftest;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pipecgi.core.UsageException;

/**
 * The forward proxy that --self-test goes through: --proxy URL; else, as curl reads them,
 * https_proxy or HTTPS_PROXY for an https:// URL and http_proxy for an http:// one, unless
 * no_proxy or NO_PROXY names the host. Like curl, it never reads HTTP_PROXY: in a CGI program's
 * environment that name is a request's Proxy header (httpoxy). The proxy itself is spoken to in
 * plain HTTP (http:// only).
 */
final class Proxy {
  final String host;
  final int port;
  /** The Proxy-Authorization value for the user and password in the proxy's URL, or null. */
  final String authorization;
  /** Where it was named: --proxy, or the variable. */
  final String source;

  private Proxy(String host, int port, String authorization, String source) {
    this.host = host;
    this.port = port;
    this.authorization = authorization;
    this.source = source;
  }

  /** The proxy for {@code target}, or null to connect directly. */
  static Proxy choose(String option, URI target, Map<String, String> env) throws UsageException {
    if (option != null) {
      return parse(option, "--proxy");
    }
    boolean https = "https".equals(target.getScheme());
    for (String name : https ? List.of("https_proxy", "HTTPS_PROXY") : List.of("http_proxy")) {
      String value = env.get(name);
      if (value != null && !value.isEmpty()) {
        return bypassed(target, env) ? null : parse(value, name);
      }
    }
    return null;
  }

  /** Whether no_proxy names the host: "*", the host itself, or a domain it is in. */
  private static boolean bypassed(URI target, Map<String, String> env) {
    String list = env.get("no_proxy");
    list = list == null || list.isEmpty() ? env.get("NO_PROXY") : list;
    if (list == null) {
      return false;
    }
    String host = unbracketed(target.getHost()).toLowerCase(Locale.ROOT);
    for (String entry : list.split("[,\\s]+")) {
      String e = unbracketed(entry.toLowerCase(Locale.ROOT));
      e = e.startsWith(".") ? e.substring(1) : e;
      if (e.equals("*") || !e.isEmpty() && (host.equals(e) || host.endsWith("." + e))) {
        return true;
      }
    }
    return false;
  }

  private static Proxy parse(String value, String source) throws UsageException {
    // A message about the URL never shows its password.
    String shown = value.replaceFirst("^([^/]*//)?[^/@]*@", "$1***@");
    URI uri;
    try {
      uri = new URI(value.contains("://") ? value : "http://" + value);
    } catch (URISyntaxException e) {
      throw new UsageException(source + ": '" + shown + "' is not a URL: " + e.getReason());
    }
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new UsageException(source + ": '" + shown + "' is not an http:// proxy URL"
          + " (http://HOST:PORT; a proxy spoken to over TLS or SOCKS is not supported)");
    }
    if (uri.getPort() < 0) {
      throw new UsageException(source + ": '" + shown + "' names no port: http://HOST:PORT");
    }
    String user = uri.getUserInfo();
    String authorization = user == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString(user.getBytes(StandardCharsets.UTF_8));
    return new Proxy(uri.getHost(), uri.getPort(), authorization, source);
  }

  static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
  }

  /** The proxy as a URL, without its user and password. */
  @Override
  public String toString() {
    return "http://" + host + ":" + port;
  }
}
