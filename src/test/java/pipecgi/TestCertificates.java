package pipecgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * Certificates made at run time with the JDK's own keytool (every JDK has it, and it needs no
 * library): a CA; one server key with certificates that the CA signs for the names a test
 * chooses; and a self-signed certificate. Each is good for two days, so nothing committed ever
 * expires; the expired one is made so on purpose.
 */
final class TestCertificates {
  private static final String PASSWORD = "changeit";
  private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin",
      "keytool").toString();

  private final Path dir;
  /** The CA's certificate, as a user gives it to --cacert. */
  final Path caPem;
  /** The self-signed certificate (for 127.0.0.1), as a user gives it to --cacert. */
  final Path selfSignedPem;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.caPem = dir.resolve("ca.pem");
    this.selfSignedPem = dir.resolve("self.pem");
  }

  /** Makes the CA, the server's key and the self-signed certificate in {@code dir}. */
  static TestCertificates make(Path dir) throws Exception {
    TestCertificates c = new TestCertificates(dir);
    c.keytool("-genkeypair", "-keystore", c.file("ca.p12"), "-alias", "ca", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=pipecgi test CA", "-ext", "bc:c", "-validity",
        "2");
    c.keytool("-exportcert", "-rfc", "-keystore", c.file("ca.p12"), "-alias", "ca", "-file",
        c.file("ca.pem"));
    c.keytool("-genkeypair", "-keystore", c.file("server.p12"), "-alias", "server", "-keyalg",
        "EC", "-groupname", "secp256r1", "-dname", "CN=pipecgi test server", "-validity", "2");
    c.keytool("-certreq", "-keystore", c.file("server.p12"), "-alias", "server", "-file",
        c.file("server.csr"));
    c.keytool("-genkeypair", "-keystore", c.file("self.p12"), "-alias", "self", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=pipecgi self-signed", "-ext",
        "san=ip:127.0.0.1", "-validity", "2");
    c.keytool("-exportcert", "-rfc", "-keystore", c.file("self.p12"), "-alias", "self", "-file",
        c.file("self.pem"));
    return c;
  }

  /**
   * A server's TLS: the server key with a certificate the CA signs for {@code san} (keytool's
   * form, such as "ip:127.0.0.1,dns:localhost"), sent with the CA's.
   */
  SSLServerSocketFactory signedFor(String san) throws Exception {
    return signed(san, "san-" + san.replaceAll("[^a-z0-9]", "-"), "-validity", "2");
  }

  /** The same for 127.0.0.1, but expired: valid for a day, three days ago. */
  SSLServerSocketFactory expired() throws Exception {
    return signed("ip:127.0.0.1", "expired", "-startdate", "-3d", "-validity", "1");
  }

  private SSLServerSocketFactory signed(String san, String name, String... validity)
      throws Exception {
    String pem = name + ".pem";
    List<String> args = new ArrayList<>(List.of("-gencert", "-keystore", file("ca.p12"), "-alias",
        "ca", "-infile", file("server.csr"), "-outfile", file(pem), "-rfc", "-ext", "san=" + san));
    args.addAll(List.of(validity));
    keytool(args.toArray(new String[0]));
    List<Certificate> chain = new ArrayList<>(certificates(dir.resolve(pem)));
    chain.addAll(certificates(caPem));
    Key key = load("server.p12").getKey("server", PASSWORD.toCharArray());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
    return factory(store);
  }

  /** The server's TLS with the self-signed certificate. */
  SSLServerSocketFactory selfSigned() throws Exception {
    return factory(load("self.p12"));
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private KeyStore load(String file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(file))) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static SSLServerSocketFactory factory(KeyStore store) throws Exception {
    KeyManagerFactory keys =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context.getServerSocketFactory();
  }

  private static List<? extends Certificate> certificates(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private void keytool(String... args) {
    List<String> command = new ArrayList<>(List.of(KEYTOOL));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD,
        "-noprompt"));
    Launch.Result r = Launch.of(command.toArray(new String[0])).run();
    assertEquals(0, r.exit, String.join(" ", command) + ": " + r.outText() + r.err);
  }
}
