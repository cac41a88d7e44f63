package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceEnvTest {
  private static Map<String, String> build(Map<String, String> env) {
    return ServiceEnv.build(env, env, 0, List.of());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "HOME", "USER", "SHELL", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "IFS",
        "PERL5LIB", "PYTHONPATH", "JAVA_TOOL_OPTIONS", "PIPECGI_CONF", "http_proxy", "HTTPS_PROXY",
        "REDIRECT_ANYTHING", "SERVER_SECRET", "AP_TRUST_CGILIKE_CL", "PHPRC"
      })
  void thePipecgiEnvironmentIsNotInherited(String name) {
    assertFalse(build(Map.of(name, "x")).containsKey(name));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "AUTH_TYPE", "CONTENT_TYPE", "CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX", "DATE_GMT",
        "DATE_LOCAL", "DOCUMENT_ARGS", "DOCUMENT_NAME", "DOCUMENT_PATH_INFO", "DOCUMENT_ROOT",
        "DOCUMENT_URI", "GATEWAY_INTERFACE", "HTTPS", "LAST_MODIFIED", "PATH_INFO",
        "PATH_TRANSLATED", "QUERY_STRING", "QUERY_STRING_UNESCAPED", "REMOTE_ADDR", "REMOTE_HOST",
        "REMOTE_IDENT", "REMOTE_PORT", "REMOTE_USER", "REDIRECT_ERROR_NOTES", "REDIRECT_HANDLER",
        "REDIRECT_QUERY_STRING", "REDIRECT_REMOTE_USER", "REDIRECT_SCRIPT_FILENAME",
        "REDIRECT_STATUS", "REDIRECT_URL", "REQUEST_METHOD", "REQUEST_URI", "REQUEST_SCHEME",
        "SCRIPT_FILENAME", "SCRIPT_NAME", "SCRIPT_URI", "SCRIPT_URL", "SERVER_ADMIN",
        "SERVER_NAME", "SERVER_ADDR", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SIGNATURE",
        "SERVER_SOFTWARE", "UNIQUE_ID", "USER_NAME", "TZ", "SSL_PROTOCOL", "SSL_CLIENT_S_DN"
      })
  void theSuexecSafeListPasses(String name) {
    assertEquals("v", build(Map.of(name, "v")).get(name));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"HTTP_USER_AGENT", "HTTP_COOKIE", "HTTP_X_UNDER", "HTTP_HOST", "HTTP_"})
  void everyHttpVariablePasses(String name) {
    assertEquals("() { :;}; echo pwned", build(Map.of(name, "() { :;}; echo pwned")).get(name));
  }

  @Test
  void httpProxyNeverPasses() {
    assertNull(build(Map.of("HTTP_PROXY", "http://evil:8080")).get("HTTP_PROXY"));
  }

  @Test
  void pathIsTheFixedSafePath() {
    assertEquals("/usr/local/bin:/usr/bin:/bin", build(Map.of("PATH", "/tmp/evil:/usr/bin")).get("PATH"));
  }

  @Test
  void passEnvAddsNamedVariablesThatExist() {
    Map<String, String> own = Map.of("LANG", "C.UTF-8", "PATH", "/opt/bin");
    Map<String, String> out = ServiceEnv.build(own, own, 0, List.of("LANG", "PATH", "MISSING"));
    assertEquals("C.UTF-8", out.get("LANG"));
    assertEquals("/opt/bin", out.get("PATH"), "pass-env may knowingly replace the safe PATH");
    assertFalse(out.containsKey("MISSING"));
  }

  @Test
  void contentLengthIsTheNumberOfBodyBytesGiven() {
    assertEquals("0", build(Map.of()).get("CONTENT_LENGTH"));
    assertEquals("3", ServiceEnv.build(Map.of("CONTENT_LENGTH", "003"), Map.of(), 3, List.of())
        .get("CONTENT_LENGTH"));
    assertEquals("7", ServiceEnv.build(Map.of("HTTP_TRANSFER_ENCODING", "chunked"), Map.of(), 7,
        List.of()).get("CONTENT_LENGTH"));
  }

  /**
   * A warm gateway's own environment is not the request's: even a safe name (TZ, SERVER_NAME) of
   * its own reaches the service only through pass-env, and pass-env never takes a name from the
   * request.
   */
  @Test
  void safeNamesComeFromTheRequestAndPassEnvNamesFromPipecgisOwnEnvironment() {
    Map<String, String> request = Map.of("REQUEST_METHOD", "GET", "HTTP_X_A", "1",
        "LANG", "from-the-request");
    Map<String, String> own = Map.of("TZ", "UTC", "SERVER_NAME", "gateway", "LANG", "C.UTF-8",
        "HTTP_X_B", "2");
    Map<String, String> out = ServiceEnv.build(request, own, 0, List.of("LANG"));
    assertEquals(Map.of("REQUEST_METHOD", "GET", "HTTP_X_A", "1", "LANG", "C.UTF-8",
        "PATH", ServiceEnv.SAFE_PATH, "CONTENT_LENGTH", "0"), out);
  }

  @Test
  void nothingElseIsAdded() {
    assertEquals(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "CONTENT_LENGTH", "0"), build(Map.of()));
  }
}
