package pipecgi.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whom X-Forwarded-For is believed from, and which of its entries is the client. */
class TrustedProxiesTest {
  private static TrustedProxies proxies(String list) throws UsageException {
    return TrustedProxies.parse(new Setting(list, "--trusted-proxies", null));
  }

  @ParameterizedTest(name = "{0} trusts {1}: {2}")
  @CsvSource({
      "127.0.0.1, 127.0.0.1, true",
      "127.0.0.1, 127.0.0.2, false",
      "10.0.0.0/8, 10.200.3.4, true",
      "10.0.0.0/8, 11.0.0.1, false",
      "192.168.1.0/24, 192.168.1.255, true",
      "192.168.1.0/24, 192.168.2.1, false",
      "::1, 0:0:0:0:0:0:0:1, true",
      "fd00::/8, fd12:3456::1, true",
      "fd00::/8, 10.0.0.1, false",
      "0.0.0.0/0, 203.0.113.9, true",
      "unix, 127.0.0.1, false",
      "127.0.0.1, localhost, false",
      "127.0.0.1, 999.0.0.1, false"})
  void anAddressIsTrustedWhenItIsInTheList(String list, String address, boolean trusted)
      throws Exception {
    assertEquals(trusted, proxies(list).trusts(address));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "10.0.0.0/8|''|10.0.0.1",
      "10.0.0.0/8|198.51.100.7|198.51.100.7",
      "10.0.0.0/8|198.51.100.7,10.0.0.2|198.51.100.7",
      "10.0.0.0/8|203.0.113.5,198.51.100.7,10.0.0.2|198.51.100.7",
      "10.0.0.0/8|198.51.100.7,garbage,10.0.0.2|10.0.0.2",
      "10.0.0.0/8|10.0.0.3,10.0.0.2|10.0.0.3",
      "10.0.0.0/8|0:0:0:0:0:0:0:1|::1"})
  void theClientIsTheRightmostHopNoTrustedProxyVouchesFor(String list, String forwardedFor,
      String client) throws Exception {
    List<String> hops = forwardedFor.isEmpty() ? List.of() : List.of(forwardedFor.split(","));
    assertEquals(client, proxies(list).client("10.0.0.1", hops));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"0:0:0:0:0:0:0:1, ::1", "::, ::", "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1", "fe80:0:0:0:0:0:0:0, fe80::",
      "1:0:2:0:3:0:4:0, 1:0:2:0:3:0:4:0", "192.0.2.1, 192.0.2.1"})
  void anAddressIsWrittenAsRfc5952Says(String written, String canonical) {
    assertEquals(canonical, TrustedProxies.text(TrustedProxies.literal(written)));
  }
}
