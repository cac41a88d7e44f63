package pipecgi;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the session protocol, as the README's table describes it, for tests: open, send
 * numbered messages, poll from a cursor, close. Each call is a plain HTTP/1.1 request.
 */
public final class SessionClient {
  /** What a poll got: the status, the lines, the next cursor, and why the session closed. */
  public record Poll(int status, List<String> lines, long cursor, String closed) {}

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();

  public final URI uri;
  public final String id;
  private long sequence;
  private long cursor;

  private SessionClient(URI uri, String id) {
    this.uri = uri;
    this.id = id;
  }

  /** Opens a session on the endpoint at {@code uri}; fails unless the answer is 201. */
  public static SessionClient open(URI uri) throws IOException, InterruptedException {
    return open(uri, null);
  }

  /** Opens a session whose id follows {@code route} (null for none), as pipecgi.js does. */
  public static SessionClient open(URI uri, String route) throws IOException,
      InterruptedException {
    HttpResponse<String> r = opening(uri, route == null ? "new" : "new." + route);
    if (r.statusCode() != 201) {
      throw new AssertionError("opening a session at " + uri + " answered " + r.statusCode());
    }
    return new SessionClient(uri, r.headers().firstValue("Pipecgi-Session").orElseThrow());
  }

  /** The answer to an opening request, whatever it is. */
  public static HttpResponse<String> opening(URI uri) throws IOException, InterruptedException {
    return opening(uri, "new");
  }

  private static HttpResponse<String> opening(URI uri, String header) throws IOException,
      InterruptedException {
    return HTTP.send(request(uri, header).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A request of the session {@code id} (any text, for tests of what is refused). */
  public static HttpRequest.Builder request(URI uri, String id) {
    return HttpRequest.newBuilder(uri).timeout(Await.HANG).header("Pipecgi-Session", id);
  }

  /** Sends the next message; returns the status (204 once written). */
  public int send(String line) throws IOException, InterruptedException {
    return send(++sequence, line);
  }

  /** Sends message {@code n}, whatever was sent before. */
  public int send(long n, String line) throws IOException, InterruptedException {
    return sendAsync(n, line).join().statusCode();
  }

  public CompletableFuture<HttpResponse<String>> sendAsync(long n, String line) {
    return HTTP.sendAsync(request(uri, id).header("Pipecgi-Sequence", Long.toString(n))
        .POST(HttpRequest.BodyPublishers.ofString(line)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Polls from where the last poll ended (a 200 moves the cursor on). */
  public Poll poll() throws IOException, InterruptedException {
    Poll p = poll(cursor);
    cursor = p.cursor;
    return p;
  }

  /** Polls from {@code at}, whatever was read before. */
  public Poll poll(long at) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request(uri, id).header("Pipecgi-Cursor",
        Long.toString(at)).GET().build(), HttpResponse.BodyHandlers.ofString());
    String body = r.body();
    List<String> lines = r.statusCode() != 200 || body.isEmpty() ? List.of()
        : Arrays.asList(body.substring(0, body.length() - 1).split("\n", -1));
    long next = r.headers().firstValue("Pipecgi-Cursor").map(Long::parseLong).orElse(at);
    return new Poll(r.statusCode(), lines, next, r.headers().firstValue("Pipecgi-Close")
        .orElse(null));
  }

  /** Polls until {@code count} more lines came, or the session ended; returns them. */
  public List<String> read(int count) throws Exception {
    List<String> lines = new ArrayList<>();
    long deadline = System.nanoTime() + Await.HANG.toNanos();
    while (lines.size() < count && System.nanoTime() - deadline < 0) {
      Poll p = poll();
      lines.addAll(p.lines);
      if (p.status == 410) {
        break;
      }
    }
    return lines;
  }

  /** Polls until the session ends, keeping the lines; returns the last poll (the 410). */
  public Poll readToEnd(List<String> lines) throws Exception {
    long deadline = System.nanoTime() + Await.HANG.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Poll p = poll();
      lines.addAll(p.lines);
      if (p.status != 200 && p.status != 204) {
        return p;
      }
    }
    throw new AssertionError("the session did not end within " + Await.HANG);
  }

  /** Closes the session; returns the status. */
  public int close() throws IOException, InterruptedException {
    return HTTP.send(request(uri, id).DELETE().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
