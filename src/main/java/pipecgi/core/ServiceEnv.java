package pipecgi.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service's environment, built fresh: nothing of pipecgi's own environment is inherited except
 * what is listed here. The list is Apache suEXEC's ({@code safe_env_lst} in support/suexec.c), the
 * most trusted CGI environment policy there is.
 */
public final class ServiceEnv {
  /** suEXEC's AP_SAFE_PATH: the service never sees the server's PATH unless pass-env asks. */
  public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

  private static final Set<String> SAFE_NAMES =
      Set.of(
          "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX",
          "DATE_GMT", "DATE_LOCAL", "DOCUMENT_ARGS", "DOCUMENT_NAME", "DOCUMENT_PATH_INFO",
          "DOCUMENT_ROOT", "DOCUMENT_URI", "GATEWAY_INTERFACE", "HTTPS", "LAST_MODIFIED",
          "PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING", "QUERY_STRING_UNESCAPED", "REMOTE_ADDR",
          "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_PORT", "REMOTE_USER", "REDIRECT_ERROR_NOTES",
          "REDIRECT_HANDLER", "REDIRECT_QUERY_STRING", "REDIRECT_REMOTE_USER",
          "REDIRECT_SCRIPT_FILENAME", "REDIRECT_STATUS", "REDIRECT_URL", "REQUEST_METHOD",
          "REQUEST_URI", "REQUEST_SCHEME", "SCRIPT_FILENAME", "SCRIPT_NAME", "SCRIPT_URI",
          "SCRIPT_URL", "SERVER_ADMIN", "SERVER_NAME", "SERVER_ADDR", "SERVER_PORT",
          "SERVER_PROTOCOL", "SERVER_SIGNATURE", "SERVER_SOFTWARE", "UNIQUE_ID", "USER_NAME",
          "TZ");

  private ServiceEnv() {}

  /**
   * Builds the service's environment.
   *
   * @param request the request's meta-variables: only the safe ones are taken (for a CGI program
   *     that is its whole environment, where the server's own settings are mixed in)
   * @param own pipecgi's own environment, from which only the {@code passEnv} names are taken
   * @param bodyLength the number of body bytes the service will get on stdin
   */
  static Map<String, String> build(Map<String, String> request, Map<String, String> own,
      long bodyLength, List<String> passEnv) {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> e : request.entrySet()) {
      if (isSafe(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    out.put("PATH", SAFE_PATH);
    for (String name : passEnv) {
      String value = own.get(name);
      if (value != null) {
        out.put(name, value);
      }
    }
    // Also for a request without a body, and for a chunked one that arrived without it.
    out.put("CONTENT_LENGTH", Long.toString(bodyLength));
    return out;
  }

  static boolean isSafe(String name) {
    if (name.startsWith("HTTP_")) {
      // httpoxy (CVE-2016-5387): HTTP_PROXY is the client's "Proxy:" header, and many HTTP
      // libraries take it as the proxy for their own outgoing requests.
      return !name.equals("HTTP_PROXY");
    }
    return name.startsWith("SSL_") || SAFE_NAMES.contains(name);
  }
}
