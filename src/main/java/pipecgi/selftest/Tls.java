package pipecgi.selftest;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import pipecgi.core.UsageException;

/**
 * TLS as a browser speaks it: the server's certificate must chain to a trusted authority (the
 * JDK's, and those of --cacert) and name the URL's host (RFC 2818, the JDK's "HTTPS" endpoint
 * identification), and the host name goes out by SNI. {@link #insecure} checks neither. A
 * handshake that fails is told in words, from the certificate the server showed.
 */
final class Tls {
  private final SSLContext context;
  private final Checker checker;

  private Tls(Checker checker) throws GeneralSecurityException {
    this.checker = checker;
    this.context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {checker}, null);
  }

  /** Trusts the JDK's authorities and {@code extra}, which may be empty. */
  static Tls verifying(List<X509Certificate> extra) throws GeneralSecurityException {
    X509ExtendedTrustManager jdk = trustManager(null);
    if (extra.isEmpty()) {
      return new Tls(new Checker(jdk));
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new KeyStoreException(e); // an empty store reads nothing
    }
    int n = 0;
    for (X509Certificate c : jdk.getAcceptedIssuers()) {
      store.setCertificateEntry("jdk-" + n++, c);
    }
    for (X509Certificate c : extra) {
      store.setCertificateEntry("cacert-" + n++, c);
    }
    return new Tls(new Checker(trustManager(store)));
  }

  /** Checks no certificate and no host name. */
  static Tls insecure() throws GeneralSecurityException {
    return new Tls(new Checker(null));
  }

  boolean isInsecure() {
    return checker.jdk == null;
  }

  /** The certificates of a PEM file, as --cacert names it. */
  static List<X509Certificate> certificates(Path pem) throws UsageException {
    Collection<? extends Certificate> read;
    try (InputStream in = Files.newInputStream(pem)) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new UsageException("--cacert: cannot read " + pem + ": " + e.getMessage());
    } catch (CertificateException e) {
      throw new UsageException("--cacert: " + pem + " is not a file of PEM certificates"
          + " (-----BEGIN CERTIFICATE-----): " + e.getMessage());
    }
    if (read.isEmpty()) {
      throw new UsageException("--cacert: " + pem + " holds no certificate (PEM: -----BEGIN"
          + " CERTIFICATE-----)");
    }
    List<X509Certificate> certs = new ArrayList<>();
    for (Certificate c : read) {
      certs.add((X509Certificate) c);
    }
    return certs;
  }

  private static X509ExtendedTrustManager trustManager(KeyStore store)
      throws GeneralSecurityException {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    for (TrustManager m : f.getTrustManagers()) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new KeyStoreException("the JDK has no X.509 trust manager");
  }

  /** TLS over {@code plain} to {@code host} (the URL's, also through a proxy's tunnel). */
  SSLSocket handshake(Socket plain, String host, int port) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = s.getSSLParameters();
    if (!isInsecure()) {
      p.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!isAddress(host)) { // RFC 6066 3: SNI names hosts, never addresses
      try {
        p.setServerNames(List.of(new SNIHostName(host)));
      } catch (IllegalArgumentException e) {
        // not a name that SNI can carry: none is sent, as browsers do
      }
    }
    s.setSSLParameters(p);
    checker.shown = null;
    try {
      s.startHandshake();
    } catch (SSLHandshakeException e) {
      s.close();
      throw explained(e, host, port);
    } catch (SSLException e) {
      s.close();
      throw new Failure("the server at " + host + ":" + port + " does not answer in TLS (" + e
          .getMessage() + ")", "fix: check the URL's scheme and port: https:// for a TLS port,"
          + " http:// for a plain one");
    }
    return s;
  }

  private IOException explained(SSLHandshakeException e, String host, int port) {
    X509Certificate[] chain = checker.shown;
    if (chain == null || chain.length == 0) {
      return new Failure("the TLS handshake with " + host + ":" + port + " failed: "
          + e.getMessage(), null);
    }
    X509Certificate leaf = chain[0];
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException x) {
      return new Failure("the server's certificate expired on " + leaf.getNotAfter().toInstant(),
          "fix: renew the server's certificate");
    } catch (CertificateNotYetValidException x) {
      return new Failure("the server's certificate is not valid before "
          + leaf.getNotBefore().toInstant(), "fix: check the clocks of the server and of this"
          + " machine");
    }
    if (!checker.trusts(chain)) {
      return new Failure("the server's certificate is not trusted (self-signed, or by an unknown"
          + " authority)", "fix: --cacert FILE, FILE the PEM certificate of its CA (a"
          + " self-signed certificate is its own CA), or --insecure to skip the check");
    }
    List<String> names = names(leaf);
    if (!covers(names, host)) {
      return new Failure("the server's certificate is for " + String.join(", ", names)
          + ", not for " + host + ", the host of the URL", "fix: use a URL with the name the"
          + " certificate is for, or give the server a certificate for " + host);
    }
    return new Failure("the TLS handshake with " + host + ":" + port + " failed: "
        + e.getMessage(), null);
  }

  /** The names a certificate is for: its subject alternative names, else its common name. */
  private static List<String> names(X509Certificate c) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = c.getSubjectAlternativeNames();
      for (List<?> a : alternatives == null ? List.<List<?>>of() : alternatives) {
        int type = (Integer) a.get(0);
        if (type == 2 || type == 7) { // dNSName, iPAddress (RFC 5280 4.2.1.6)
          names.add((String) a.get(1));
        }
      }
      if (names.isEmpty()) {
        for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            names.add(rdn.getValue().toString());
          }
        }
      }
    } catch (CertificateException | InvalidNameException e) {
      // a certificate that the JDK has already read: names it cannot parse are left out
    }
    return names.isEmpty() ? List.of("no name") : names;
  }

  /** RFC 6125 6.4: the name itself, or a wildcard for its first label. */
  private static boolean covers(List<String> names, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (String n : names) {
      String name = n.toLowerCase(Locale.ROOT);
      if (name.equals(h) || name.startsWith("*.") && h.indexOf('.') > 0
          && h.substring(h.indexOf('.')).equals(name.substring(1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAddress(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
  }

  /** The JDK's checks, keeping the chain the server showed; or, insecure, no checks at all. */
  private static final class Checker extends X509ExtendedTrustManager {
    final X509ExtendedTrustManager jdk;
    volatile X509Certificate[] shown;
    private volatile String authType;

    Checker(X509ExtendedTrustManager jdk) {
      this.jdk = jdk;
    }

    /** Whether the chain leads to a trusted authority, whatever names it is for. */
    boolean trusts(X509Certificate[] chain) {
      try {
        jdk.checkServerTrusted(chain, authType);
        return true;
      } catch (CertificateException e) {
        return false;
      }
    }

    private boolean keep(X509Certificate[] chain, String authType) {
      this.shown = chain;
      this.authType = authType;
      return jdk != null;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      if (keep(chain, authType)) {
        jdk.checkServerTrusted(chain, authType, socket);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (keep(chain, authType)) {
        jdk.checkServerTrusted(chain, authType, engine);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (keep(chain, authType)) {
        jdk.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a client never checks a client's certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a client never checks a client's certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a client never checks a client's certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return jdk == null ? new X509Certificate[0] : jdk.getAcceptedIssuers();
    }
  }
}
