package pipecgi.core;

import java.io.File;

/**
 * One option's value as given, and where it was given ("echo.conf line 3: timeout" or
 * "--timeout"), so that a bad value is reported where the administrator can fix it. The parsers
 * of the kinds of value pipecgi takes are here too.
 */
public final class Setting {
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long GIB = 1024 * MIB;

  final String text;
  final String where;
  /** The directory relative paths are resolved against, or null for the current one. */
  final File base;

  Setting(String text, String where, File base) {
    this.text = text;
    this.where = where;
    this.base = base;
  }

  public String text() {
    return text;
  }

  /** Seconds as a person writes them ("30", "2.5"), in milliseconds, from 0.001 to {@code max}. */
  long millis(long maxSeconds) throws UsageException {
    int dot = text.indexOf('.');
    String whole = dot < 0 ? text : text.substring(0, dot);
    String fraction = dot < 0 ? "" : text.substring(dot + 1);
    long seconds = whole.isEmpty() ? 0 : digits(whole);
    boolean valid =
        seconds >= 0
            && (dot < 0 || (fraction.length() >= 1 && fraction.length() <= 3))
            && (fraction.isEmpty() || digits(fraction) >= 0)
            && !(whole.isEmpty() && fraction.isEmpty());
    long millis = valid ? seconds * 1000 + (fraction.isEmpty() ? 0 : fractionMillis(fraction)) : -1;
    if (!valid || millis <= 0 || millis > maxSeconds * 1000) {
      throw invalid("is not a number of seconds from 0.001 to " + maxSeconds + " (like 30 or 2.5)");
    }
    return millis;
  }

  /** A byte count with an optional binary K, M or G suffix, from 0 to {@code max}. */
  long bytes(long max) throws UsageException {
    String t = text;
    long unit = 1;
    char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
    if (last == 'K' || last == 'M' || last == 'G') {
      unit = last == 'K' ? KIB : last == 'M' ? MIB : GIB;
      t = t.substring(0, t.length() - 1);
    }
    long n = digits(t);
    if (n < 0 || n > max / unit) {
      throw invalid("is not a number of bytes from 0 to " + max
          + " (a whole number, optionally followed by K, M or G)");
    }
    return n * unit;
  }

  /** A whole number from {@code min} to {@code max}. */
  int count(int min, int max) throws UsageException {
    long n = digits(text);
    if (n < min || n > max) {
      throw invalid("is not a whole number from " + min + " to " + max);
    }
    return (int) n;
  }

  /** A path, relative to {@link #base} when it is not absolute. */
  File path() {
    return resolve(text, base);
  }

  UsageException invalid(String problem) {
    return new UsageException(where + ": '" + text + "' " + problem);
  }

  static File resolve(String path, File base) {
    File f = new File(path);
    return f.isAbsolute() || base == null ? f.getAbsoluteFile() : new File(base, path);
  }

  /** The value of a string of 1 to 18 ASCII digits, else -1 (no signs, no spaces, no overflow). */
  public static long digits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static long fractionMillis(String fraction) {
    long n = digits(fraction);
    for (int i = fraction.length(); i < 3; i++) {
      n *= 10;
    }
    return n;
  }
}
