package pipecgi.selftest;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Where the self-test's requests go: the endpoint's URL, the proxy on the way, TLS's trust. */
final class Target {
  final URI uri;
  /** Null: directly. */
  final Proxy proxy;
  /** Null for an http:// URL. */
  final Tls tls;

  Target(URI uri, Proxy proxy, Tls tls) {
    this.uri = uri;
    this.proxy = proxy;
    this.tls = tls;
  }

  boolean https() {
    return "https".equals(uri.getScheme());
  }

  /** The host, an IPv6 address without its brackets. */
  String host() {
    return Proxy.unbracketed(uri.getHost());
  }

  int port() {
    return uri.getPort() > 0 ? uri.getPort() : https() ? 443 : 80;
  }

  /** host:port, as CONNECT names it (RFC 9110 9.3.6). */
  String authority() {
    return uri.getHost() + ":" + port();
  }

  HttpConnection connect(int timeoutMillis) throws IOException {
    return new HttpConnection(this, timeoutMillis);
  }

  /**
   * A request to the endpoint, with {@code headers} ("Name: value") and {@code body} (none if
   * null). Through a proxy, plain HTTP requests name the whole URL (RFC 9112 3.2.2, the absolute
   * form) and carry the proxy's credentials; over TLS they go through the tunnel as they would
   * directly.
   */
  byte[] request(String method, String version, byte[] body, String... headers) {
    return request(method, version, body, false, headers);
  }

  /** The same, the body sent in chunks when {@code chunked}. */
  byte[] request(String method, String version, byte[] body, boolean chunked,
      String... headers) {
    String target = HttpConnection.originForm(uri);
    List<String> all = new ArrayList<>(List.of(headers));
    if (proxy != null && !https()) {
      target = "http://" + uri.getRawAuthority() + target;
      if (proxy.authorization != null) {
        all.add("Proxy-Authorization: " + proxy.authorization);
      }
    }
    return HttpConnection.request(method, target, uri.getRawAuthority(), version, all, body,
        chunked);
  }

  /** The request that asks the proxy for a tunnel to the endpoint's host and port. */
  byte[] connectRequest() {
    List<String> headers = proxy.authorization == null ? List.of()
        : List.of("Proxy-Authorization: " + proxy.authorization);
    return HttpConnection.request("CONNECT", authority(), authority(), "HTTP/1.1", headers, null,
        false);
  }
}
