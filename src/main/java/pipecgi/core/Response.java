package pipecgi.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response: a status, header fields and a body of known length. Headers are kept as ISO-8859-1
 * text so that any byte a service wrote in a field value goes out unchanged. {@link #writeTo}
 * writes it as a CGI program answers a web server; other front ends take its parts.
 */
public final class Response {
  public final int status;
  private final String reason;
  private final List<String> names = new ArrayList<>();
  private final List<String> values = new ArrayList<>();
  private final Spool body;
  private final long bodyOffset;

  /** A response whose body is {@code body} from {@code bodyOffset} on. */
  Response(int status, String reason, Spool body, long bodyOffset) {
    this.status = status;
    this.reason = reason.isEmpty() ? reasonPhrase(status) : reason;
    this.body = body;
    this.bodyOffset = bodyOffset;
  }

  /** An error response: a short text body naming the status, and nothing about the cause. */
  public static Response error(int status) {
    String text = status + " " + reasonPhrase(status) + "\n";
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    Spool body = new Spool(bytes.length, bytes.length);
    try {
      body.write(bytes, 0, bytes.length);
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot fail
    }
    return new Response(status, "", body, 0).add("Content-Type", "text/plain; charset=utf-8");
  }

  /** A response whose body is {@code bytes}, of type {@code type}. */
  public static Response bytes(int status, byte[] bytes, String type) {
    Spool body = new Spool(bytes.length, bytes.length);
    try {
      body.write(bytes, 0, bytes.length);
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot fail
    }
    return new Response(status, "", body, 0).add("Content-Type", type);
  }

  /** A response without a body, such as 204 No Content. */
  public static Response empty(int status) {
    return new Response(status, "", null, 0);
  }

  public Response add(String name, String value) {
    names.add(name);
    values.add(value);
    return this;
  }

  /** Replaces every field named {@code name} (ignoring case) by this one. */
  public Response set(String name, String value) {
    remove(name);
    return add(name, value);
  }

  void remove(String name) {
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).equalsIgnoreCase(name)) {
        names.remove(i);
        values.remove(i);
      }
    }
  }

  /** How many header fields there are, Content-Length aside. */
  public int fieldCount() {
    return names.size();
  }

  public String fieldName(int i) {
    return names.get(i);
  }

  public String fieldValue(int i) {
    return values.get(i);
  }

  /** The reason phrase: the service's own in cgi mode, else the standard one. */
  public String reason() {
    return reason;
  }

  /** The value of the first field named {@code name} (ignoring case), or null. */
  public String get(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return values.get(i);
      }
    }
    return null;
  }

  /** RFC 9110 6.4.1: 204 and 304 have no content. */
  public static boolean mayHaveBody(int status) {
    return status != 204 && status != 304;
  }

  public long contentLength() {
    return body == null ? 0 : body.size() - bodyOffset;
  }

  /**
   * The whole body, when it is held in memory, for a front end to send in one write; else null,
   * and {@link #writeBody} streams it from its temporary file.
   */
  public ByteBuffer bodyInMemory() {
    return body == null ? ByteBuffer.allocate(0) : body.memory(bodyOffset);
  }

  /** Writes the body alone. */
  public void writeBody(OutputStream out) throws IOException {
    if (body != null) {
      body.writeTo(out, new byte[0], bodyOffset);
    }
  }

  /**
   * Writes the whole response as a CGI program answers a web server (RFC 3875 6): a Status line,
   * the fields and an exact Content-Length, with CRLF, then the body. For HEAD, the same header
   * fields, Content-Length included, and no body.
   */
  public void writeTo(OutputStream out, boolean head) throws IOException {
    StringBuilder h = new StringBuilder(256);
    h.append("Status: ").append(status).append(' ').append(reason).append("\r\n");
    for (int i = 0; i < names.size(); i++) {
      h.append(names.get(i)).append(": ").append(values.get(i)).append("\r\n");
    }
    boolean hasBody = mayHaveBody(status) && body != null;
    if (mayHaveBody(status)) {
      h.append("Content-Length: ").append(contentLength()).append("\r\n");
    }
    h.append("\r\n");
    byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (hasBody && !head) {
      body.writeTo(out, header, bodyOffset);
    } else {
      out.write(header);
      out.flush();
    }
  }

  public static String reasonPhrase(int status) {
    switch (status) {
      case 200: return "OK";
      case 201: return "Created";
      case 202: return "Accepted";
      case 203: return "Non-Authoritative Information";
      case 204: return "No Content";
      case 205: return "Reset Content";
      case 206: return "Partial Content";
      case 300: return "Multiple Choices";
      case 301: return "Moved Permanently";
      case 302: return "Found";
      case 303: return "See Other";
      case 304: return "Not Modified";
      case 307: return "Temporary Redirect";
      case 308: return "Permanent Redirect";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 406: return "Not Acceptable";
      case 408: return "Request Timeout";
      case 409: return "Conflict";
      case 410: return "Gone";
      case 411: return "Length Required";
      case 412: return "Precondition Failed";
      case 413: return "Content Too Large";
      case 414: return "URI Too Long";
      case 415: return "Unsupported Media Type";
      case 422: return "Unprocessable Content";
      case 429: return "Too Many Requests";
      case 431: return "Request Header Fields Too Large";
      case 500: return "Internal Server Error";
      case 501: return "Not Implemented";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      case 505: return "HTTP Version Not Supported";
      default: return "Status " + status;
    }
  }
}
