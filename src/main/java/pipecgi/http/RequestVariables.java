package pipecgi.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import pipecgi.core.TrustedProxies;

/**
 * The meta-variables of RFC 3875 for an HTTP request, as Apache's mod_cgi gives them, so that a
 * service sees the same request under the gateway as under a web server. The client's address and
 * scheme come from X-Forwarded-For and X-Forwarded-Proto only when the peer is a trusted proxy.
 */
final class RequestVariables {
  /** Not passed, as by Apache without CGIPassAuth: the service is not the place for credentials. */
  private static final List<String> WITHHELD =
      List.of("content-type", "content-length", "authorization", "proxy-authorization");

  private RequestVariables() {}

  /**
   * The variables of {@code request} to the endpoint at {@code scriptName}, with {@code pathInfo}
   * (decoded, empty for none) after it.
   */
  static Map<String, String> of(Request request, String scriptName, String pathInfo,
      TrustedProxies proxies, String software) {
    Map<String, String> v = new HashMap<>();
    HttpURI uri = request.getHttpURI();
    v.put("GATEWAY_INTERFACE", "CGI/1.1");
    v.put("SERVER_SOFTWARE", software);
    v.put("SERVER_PROTOCOL", request.getConnectionMetaData().getProtocol());
    v.put("REQUEST_METHOD", request.getMethod());
    String query = uri.getQuery();
    v.put("QUERY_STRING", query == null ? "" : query);
    v.put("REQUEST_URI", uri.getPathQuery());
    v.put("SCRIPT_NAME", scriptName);
    if (!pathInfo.isEmpty()) {
      v.put("PATH_INFO", pathInfo);
    }
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type != null) {
      v.put("CONTENT_TYPE", type);
    }
    String length = request.getHeaders().get(HttpHeader.CONTENT_LENGTH);
    if (length != null) {
      v.put("CONTENT_LENGTH", length);
    }
    v.put("SERVER_NAME", Request.getServerName(request));
    v.put("SERVER_PORT", Integer.toString(Request.getServerPort(request)));
    putClient(v, request, proxies);
    putHeaders(v, request);
    return v;
  }

  /** REMOTE_ADDR, REMOTE_PORT, HTTPS and REQUEST_SCHEME. */
  private static void putClient(Map<String, String> v, Request request, TrustedProxies proxies) {
    SocketAddress peer = request.getConnectionMetaData().getRemoteSocketAddress();
    boolean secure = request.getConnectionMetaData().isSecure();
    String address;
    boolean trusted;
    if (peer instanceof InetSocketAddress inet) {
      address = TrustedProxies.text(inet.getAddress().getAddress());
      trusted = proxies.trusts(address);
      v.put("REMOTE_PORT", Integer.toString(inet.getPort()));
    } else {
      // A Unix-domain socket: the peer is on this host.
      address = "127.0.0.1";
      trusted = proxies.trustsUnix();
    }
    if (trusted) {
      List<String> forwardedFor = new ArrayList<>();
      for (String value : request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR)) {
        for (String hop : value.split(",")) {
          forwardedFor.add(hop.trim());
        }
      }
      String client = proxies.client(address, forwardedFor);
      if (!forwardedFor.isEmpty()) {
        v.remove("REMOTE_PORT"); // the proxy's port, not the client's
      }
      address = client;
      String proto = last(request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_PROTO));
      if (proto != null) {
        secure = proto.trim().equalsIgnoreCase("https");
      }
    }
    v.put("REMOTE_ADDR", address);
    v.put("REQUEST_SCHEME", secure ? "https" : "http");
    if (secure) {
      v.put("HTTPS", "on");
    }
  }

  /**
   * Every request header as HTTP_NAME, as Apache passes them: repeated fields joined with ", ",
   * and names with '_' left out, since X-A_B would otherwise pose as X-A-B.
   */
  private static void putHeaders(Map<String, String> v, Request request) {
    for (HttpField f : request.getHeaders()) {
      String name = f.getName().toLowerCase(Locale.ROOT);
      if (name.indexOf('_') >= 0 || WITHHELD.contains(name)) {
        continue;
      }
      String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
      String value = f.getValue() == null ? "" : f.getValue();
      v.merge(key, value, (a, b) -> a + ", " + b);
    }
  }

  private static String last(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    String[] parts = values.get(values.size() - 1).split(",");
    return parts[parts.length - 1];
  }
}
