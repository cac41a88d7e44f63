package pipecgi.selftest;

import java.io.IOException;

/** What stopped the self-test, in plain words, and what to do about it. */
final class Failure extends IOException {
  private static final long serialVersionUID = 1L;

  /** "fix: ...", or null when there is nothing more to say. */
  final String fix;

  Failure(String what, String fix) {
    super(what);
    this.fix = fix;
  }
}
