package pipecgi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Session ids: unguessable, compared whole, never written whole to a log. */
class SessionIdTest {
  @Test
  void anIdIs192RandomBitsInBase64url() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      SessionId id = SessionId.random(null);
      assertEquals(32, id.text.length());
      assertEquals(24, Base64.getUrlDecoder().decode(id.text).length);
      assertTrue(seen.add(id.text));
    }
  }

  @Test
  void anIdFollowsTheRouteItsPageChose() {
    SessionId id = SessionId.random("r0ute-_X");
    assertTrue(id.text.startsWith("r0ute-_X."));
    assertEquals(24, Base64.getUrlDecoder().decode(id.text.substring(9)).length);
    assertNotEquals(SessionId.random("r0ute-_X").text, id.text, "the route is no part of the secret");
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "a.b", "a b", "a/b", "é", "65_characters_are_too_many_for_a_route_0123456789012345678901234567"})
  void aRouteIsShortAndPlain(String route) {
    assertFalse(SessionId.isRoute(route));
  }

  @Test
  void onlyTheWholeIdMatches() {
    SessionId id = SessionId.random(null);
    assertTrue(id.matches(id.text));
    assertFalse(id.matches(id.text.substring(1)));
    assertFalse(id.matches(id.text + "x"));
    assertFalse(id.matches(null));
    assertFalse(id.matches(SessionId.random(null).text));
  }

  @Test
  void theLogsNameForASessionIsAShortHashNotPartOfTheId() {
    SessionId id = SessionId.random(null);
    assertEquals(8, id.shortForm.length());
    assertFalse(id.text.contains(id.shortForm));
    assertEquals(id.shortForm, SessionId.shortForm(id.text));
    assertNotEquals(id.shortForm, SessionId.shortForm(SessionId.random(null).text));
  }
}
