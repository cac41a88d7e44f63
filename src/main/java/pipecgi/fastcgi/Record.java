package pipecgi.fastcgi;

/**
 * One FastCGI record (the 1996 specification, section 3.3): a type, a request id and up to 65,535
 * bytes of content. The types and values pipecgi speaks are here by the specification's names.
 */
record Record(int type, int requestId, byte[] content) {
  static final int VERSION_1 = 1;
  static final int HEADER_LENGTH = 8;
  static final int MAX_CONTENT = 0xffff;

  static final int BEGIN_REQUEST = 1;
  static final int ABORT_REQUEST = 2;
  static final int END_REQUEST = 3;
  static final int PARAMS = 4;
  static final int STDIN = 5;
  static final int STDOUT = 6;
  static final int STDERR = 7;
  static final int DATA = 8;
  static final int GET_VALUES = 9;
  static final int GET_VALUES_RESULT = 10;
  static final int UNKNOWN_TYPE = 11;

  /** The request id of management records (GET_VALUES and the like). */
  static final int NULL_REQUEST_ID = 0;

  static final int RESPONDER = 1;
  static final int KEEP_CONN = 1;

  static final int REQUEST_COMPLETE = 0;
  static final int CANT_MPX_CONN = 1;
  static final int OVERLOADED = 2;
  static final int UNKNOWN_ROLE = 3;

  /** A type's name, for a log line about a record that broke a rule. */
  static String name(int type) {
    String[] names = {"0", "BEGIN_REQUEST", "ABORT_REQUEST", "END_REQUEST", "PARAMS", "STDIN",
        "STDOUT", "STDERR", "DATA", "GET_VALUES", "GET_VALUES_RESULT", "UNKNOWN_TYPE"};
    return type >= 0 && type < names.length ? names[type] : "type " + type;
  }
}
