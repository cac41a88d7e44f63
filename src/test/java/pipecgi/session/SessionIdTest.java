package pipecgi.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Session ids: unguessable, compared whole, never written whole to a log. */
class SessionIdTest {
  @Test
  void anIdIs192RandomBitsInBase64url() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      SessionId id = SessionId.random();
      assertEquals(32, id.text.length());
      assertEquals(24, Base64.getUrlDecoder().decode(id.text).length);
      assertTrue(seen.add(id.text));
    }
  }

  @Test
  void onlyTheWholeIdMatches() {
    SessionId id = SessionId.random();
    assertTrue(id.matches(id.text));
    assertFalse(id.matches(id.text.substring(1)));
    assertFalse(id.matches(id.text + "x"));
    assertFalse(id.matches(null));
    assertFalse(id.matches(SessionId.random().text));
  }

  @Test
  void theLogsNameForASessionIsAShortHashNotPartOfTheId() {
    SessionId id = SessionId.random();
    assertEquals(8, id.shortForm.length());
    assertFalse(id.text.contains(id.shortForm));
    assertEquals(id.shortForm, SessionId.shortForm(id.text));
    assertNotEquals(id.shortForm, SessionId.shortForm(SessionId.random().text));
  }
}
