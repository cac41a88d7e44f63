package pipecgi.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The endpoints of a directory, as a warm gateway serves them: NAME is DIR/NAME.conf. Each
 * configuration is read when first asked for and read again when its file changes (a new time,
 * size or file), so an endpoint added, changed or broken takes effect at its next request.
 */
public final class EndpointDirectory {
  private static final String SUFFIX = ".conf";

  private final File dir;
  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

  /** An endpoint, and the file state it was read from. */
  private record Known(Object fileKey, FileTime modified, long size, Endpoint endpoint) {}

  public EndpointDirectory(File dir) {
    this.dir = dir;
  }

  public File dir() {
    return dir;
  }

  /**
   * The endpoint {@code name}, as its file is now; null when there is no such file. A
   * configuration that cannot be used gives an endpoint that answers 500 and says why.
   */
  public Endpoint find(String name) {
    if (!isName(name)) {
      return null;
    }
    Path file = file(name);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      known.remove(name);
      return null;
    }
    if (!a.isRegularFile()) {
      return null;
    }
    Known k = known.get(name);
    if (k == null || !Objects.equals(k.fileKey, a.fileKey())
        || !k.modified.equals(a.lastModifiedTime()) || k.size != a.size()) {
      k = new Known(a.fileKey(), a.lastModifiedTime(), a.size(), read(name, file.toFile()));
      known.put(name, k);
    }
    return k.endpoint;
  }

  private Endpoint read(String name, File file) {
    try {
      return Endpoint.of(EndpointConfig.read(file));
    } catch (UsageException e) {
      return Endpoint.broken(name, e.getMessage());
    }
  }

  /** The names of the endpoints in the directory, sorted. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    String[] files = dir.list();
    if (files != null) {
      for (String f : files) {
        String name = f.endsWith(SUFFIX) ? f.substring(0, f.length() - SUFFIX.length()) : "";
        if (isName(name) && new File(dir, f).isFile()) {
          names.add(name);
        }
      }
    }
    names.sort(null);
    return names;
  }

  public Path file(String name) {
    return dir.toPath().resolve(name + SUFFIX);
  }

  /**
   * Whether {@code s} can name an endpoint: letters, digits, '-', '_' and '.', not first. Nothing
   * that could leave the directory or name a hidden file.
   */
  public static boolean isName(String s) {
    if (s.isEmpty() || s.length() > 100 || s.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
          || c == '_' || c == '.')) {
        return false;
      }
    }
    return true;
  }
}
