package pipecgi;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a private Apache says against its own configuration in its error log: warnings and errors
 * of its MPM (such as AH10159, "server is within MinSpareThreads of MaxRequestWorkers", which the
 * event MPM logs once its idle threads are counted, a second or two after start) and of mod_ssl
 * (a certificate that is a CA's, or for another name). What CGI programs write to stderr (AH01215)
 * is pipecgi's log, not a warning about the server.
 */
final class ApacheWarnings {
  private static final Pattern WARNING = Pattern.compile(
      "\\[(mpm_[a-z]+|ssl):(warn|error|crit|alert|emerg)\\]|AH10159");

  /**
   * AH01882: mod_ssl was built against a newer OpenSSL than the libssl3 installed. A fact of the
   * machine's packages (here apache2 2.4.71-1~deb12u1, built with OpenSSL 3.0.22, and libssl3
   * 3.0.19), not of the configuration; upgrading libssl3 ends it.
   */
  private static final String OLDER_LIBSSL = "AH01882:";

  private ApacheWarnings() {}

  /** The lines of {@code errorLog} that are such warnings. */
  static List<String> in(String errorLog) {
    return errorLog.lines()
        .filter(l -> WARNING.matcher(l).find() && !l.contains(OLDER_LIBSSL))
        .toList();
  }
}
