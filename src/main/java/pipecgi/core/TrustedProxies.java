package pipecgi.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose word about the client is believed ({@code trusted-proxies}): addresses,
 * networks written address/prefix, and {@code unix} for a Unix-domain socket. Anyone else could
 * write any X-Forwarded-For they like.
 */
public final class TrustedProxies {
  public static final TrustedProxies NONE = new TrustedProxies(List.of(), false);

  /** The first {@code prefix} bits of {@code address}. */
  private record Network(byte[] address, int prefix) {
    boolean contains(byte[] a) {
      if (address.length != a.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((address[bit / 8] & mask) != (a[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Network> networks;
  private final boolean unix;

  private TrustedProxies(List<Network> networks, boolean unix) {
    this.networks = networks;
    this.unix = unix;
  }

  static TrustedProxies parse(Setting s) throws UsageException {
    List<Network> networks = new ArrayList<>();
    boolean unix = false;
    for (String item : EndpointConfig.splitList(s.text)) {
      if (item.equals("unix")) {
        unix = true;
        continue;
      }
      int slash = item.indexOf('/');
      byte[] address = literal(slash < 0 ? item : item.substring(0, slash));
      long prefix = slash < 0 ? (address == null ? -1 : address.length * 8)
          : Setting.digits(item.substring(slash + 1));
      if (address == null || prefix < 0 || prefix > address.length * 8) {
        throw s.invalid("has '" + item + "', which is not an IP address, address/prefix or unix");
      }
      networks.add(new Network(address, (int) prefix));
    }
    return new TrustedProxies(List.copyOf(networks), unix);
  }

  /** Whether a peer connected through a Unix-domain socket is a trusted proxy. */
  public boolean trustsUnix() {
    return unix;
  }

  /** Whether {@code address} (an IP address's text) is a trusted proxy. */
  public boolean trusts(String address) {
    byte[] a = literal(address);
    if (a == null) {
      return false;
    }
    for (Network n : networks) {
      if (n.contains(a)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return networks.isEmpty() && !unix;
  }

  /**
   * The client's address, from a trusted proxy's X-Forwarded-For list (its entries in order, the
   * closest hop last): the rightmost entry that is not itself a trusted proxy. An entry that is
   * not an address ends the walk at the hop to its right.
   */
  public String client(String proxy, List<String> forwardedFor) {
    String client = proxy;
    for (int i = forwardedFor.size() - 1; i >= 0; i--) {
      String hop = forwardedFor.get(i);
      if (literal(hop) == null) {
        break;
      }
      client = normal(hop);
      if (!trusts(hop)) {
        break;
      }
    }
    return client;
  }

  /** An address's canonical text: IPv6 as RFC 5952 writes it ("::1", not "0:0:0:0:0:0:0:1"). */
  private static String normal(String literal) {
    return text(literal(literal));
  }

  /** The text of an IPv4 or IPv6 address, IPv6 as RFC 5952 writes it, as Apache gives it. */
  public static String text(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not shortened
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder t = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        t.append(i == 0 ? "::" : ":");
        i += bestLength - 1;
        continue;
      }
      t.append(Integer.toHexString(groups[i])).append(i < 7 ? ":" : "");
    }
    return t.toString();
  }

  /**
   * The bytes of an IPv4 or IPv6 address written as such, else null. Never a name: that would
   * ask the DNS (and InetAddress would, for "999.1.1.1").
   */
  static byte[] literal(String text) {
    String t = text.startsWith("[") && text.endsWith("]")
        ? text.substring(1, text.length() - 1) : text;
    if (t.indexOf(':') < 0) {
      return ipv4(t);
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (!(c >= '0' && c <= '9' || c == '.' || c == ':' || c >= 'a' && c <= 'f'
          || c >= 'A' && c <= 'F')) {
        return null;
      }
    }
    try {
      return InetAddress.getByName(t).getAddress(); // a literal with ':' is never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] ipv4(String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      long n = parts[i].length() > 3 ? -1 : Setting.digits(parts[i]);
      if (n < 0 || n > 255) {
        return null;
      }
      b[i] = (byte) n;
    }
    return b;
  }
}
