package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;

/** The jar pipecgi runs from: its directory is the cgi-bin. */
public final class Jar {
  private Jar() {}

  /** The jar, canonical (the launcher may name it by a relative path or a link); null if none. */
  public static File running() {
    try {
      File f = new File(Jar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return f.isFile() && f.getName().endsWith(".jar") ? f.getCanonicalFile() : null;
    } catch (URISyntaxException | IOException | SecurityException e) {
      return null;
    }
  }
}
