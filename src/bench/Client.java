// Round trips for src/bench/run, the part of the benchmark that ab cannot do. JDK only:
//
//   java src/bench/Client.java seq URL N            N round trips one after another on one connection
//   java src/bench/Client.java par URL CONNS N      CONNS connections at once, N round trips each
//   java src/bench/Client.java http URL FILE N [WARMUP]
//                                                   N POSTs of FILE one after another on one HTTP/1.1
//                                                   keep-alive connection
//
// A round trip sends one text message of 1023 characters and waits for the same text back
// (websocketd is line-oriented: it adds the newline on the service's stdin, so the service reads
// 1024 bytes, and sends the line back as one message without it). A wrong or missing reply, or none
// within 10 seconds, fails the run. Before timing, each connection makes 20 untimed round trips.
// Prints one line of numbers for the script:
//   seq: MEDIAN_MS P99_MS MEAN_MS
//   par: MESSAGES_PER_SECOND MEDIAN_MS P99_MS
//
// http: each request is a POST of FILE's bytes (Content-Type: text/plain) on ONE socket, sent as
// one write (the headers and the body), the next one only once the whole answer has been read: the
// per-request latency that ab -k -c 1 measures, but to the microsecond rather than in whole ms (ab -g).
// Every answer must be a 200 whose body is FILE's bytes, framed by Content-Length or chunked; an
// answer that asks to close, or a connection the server closes, fails the run (it would no longer
// be one keep-alive connection). WARMUP (default 20) untimed requests first, on the same connection.
// Prints each timed request's round trip in ms, one a line (for the script's samples), and on
// stderr a summary line.
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public class Client {
    static final int WARMUP = 20;

    /** One connection; one message in flight at a time. */
    static final class Conn implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();
        private volatile CompletableFuture<String> reply = new CompletableFuture<>();
        private final WebSocket ws;

        Conn(HttpClient http, URI uri) throws Exception {
            ws = http.newWebSocketBuilder().buildAsync(uri, this).get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                reply.complete(text);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            reply.completeExceptionally(new IllegalStateException("closed by the server: " + code + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            reply.completeExceptionally(error);
        }

        /** Sends msg, waits for its echo, returns the round trip in nanoseconds. */
        long roundTrip(String msg) throws Exception {
            CompletableFuture<String> r = new CompletableFuture<>();
            reply = r;
            long t0 = System.nanoTime();
            ws.sendText(msg, true).get(10, TimeUnit.SECONDS);
            String got = r.get(10, TimeUnit.SECONDS);
            long t = System.nanoTime() - t0;
            if (got.endsWith("\n")) {
                got = got.substring(0, got.length() - 1);
            }
            if (!got.equals(msg)) {
                throw new IllegalStateException("wrong reply: " + got.length() + " characters instead of " + msg.length());
            }
            return t;
        }

        void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    static String message() {
        char[] c = new char[1023];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('a' + i % 26);
        }
        return new String(c);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static long percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static long median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One HTTP/1.1 keep-alive connection; one request in flight at a time. */
    static final class HttpConn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] request;
        private final byte[] body;
        private int answered;

        HttpConn(URI uri, byte[] body) throws IOException {
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            socket = new Socket(uri.getHost(), port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port
                    + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            request = new byte[head.length + body.length];
            System.arraycopy(head, 0, request, 0, head.length);
            System.arraycopy(body, 0, request, head.length, body.length);
            this.body = body;
        }

        /** Sends the POST, reads the whole answer and checks it; returns the round trip in nanoseconds. */
        long roundTrip() throws IOException {
            long t0 = System.nanoTime();
            out.write(request);
            out.flush();
            String status = line();
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = colon < 0 ? h : h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.contains("chunked")) {
                    chunked = true;
                } else if (name.equals("connection") && value.contains("close")) {
                    close = true;
                }
            }
            byte[] got;
            if (chunked) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (int size = chunkSize(); size > 0; size = chunkSize()) {
                    b.write(in.readNBytes(size));
                    line();
                }
                for (String t = line(); !t.isEmpty(); t = line()) {
                    // trailers: none expected, skipped
                }
                got = b.toByteArray();
            } else if (length >= 0) {
                got = in.readNBytes((int) length);
            } else {
                throw new IOException("answer " + (answered + 1) + " has neither Content-Length nor chunks: " + status);
            }
            long t = System.nanoTime() - t0;
            answered++;
            if (!status.startsWith("HTTP/1.1 200 ") && !status.equals("HTTP/1.1 200")) {
                throw new IOException("answer " + answered + ": " + status);
            }
            if (!Arrays.equals(got, body)) {
                throw new IOException("answer " + answered + ": a body of " + got.length + " bytes that is not the request's");
            }
            if (close) {
                throw new IOException("answer " + answered + " closes the connection (Connection: close)");
            }
            return t;
        }

        private int chunkSize() throws IOException {
            String s = line();
            int semi = s.indexOf(';');
            return Integer.parseInt((semi < 0 ? s : s.substring(0, semi)).trim(), 16);
        }

        private String line() throws IOException {
            StringBuilder b = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("the server closed the connection after " + answered + " answers");
                }
                if (c == '\n') {
                    int n = b.length();
                    return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
                }
                b.append((char) c);
            }
        }

        void close() throws IOException {
            socket.close();
        }
    }

    static void http(URI uri, Path file, int n, int warmup) throws Exception {
        HttpConn c = new HttpConn(uri, Files.readAllBytes(file));
        for (int i = 0; i < warmup; i++) {
            c.roundTrip();
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = c.roundTrip();
        }
        c.close();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.US_ASCII);
        long sum = 0;
        for (long x : t) {
            out.println(String.format(Locale.ROOT, "%.4f", ms(x)));
            sum += x;
        }
        out.flush();
        long[] sorted = t.clone();
        Arrays.sort(sorted);
        System.err.println(String.format(Locale.ROOT, "%s: %d requests on one connection (after %d untimed): median %.3f ms, p99 %.3f ms, mean %.3f ms",
                uri, n, warmup, ms(median(sorted)), ms(percentile(sorted, 0.99)), ms(sum / n)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 4 && args.length <= 5 && args[0].equals("http")) {
            http(URI.create(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                    args.length == 5 ? Integer.parseInt(args[4]) : WARMUP);
            System.exit(0);
        }
        if (args.length < 3 || !(args[0].equals("seq") && args.length == 3 || args[0].equals("par") && args.length == 4)) {
            System.err.println("usage: java Client.java seq URL N | par URL CONNECTIONS N | http URL FILE N [WARMUP]");
            System.exit(2);
        }
        URI uri = URI.create(args[1]);
        HttpClient http = HttpClient.newHttpClient();
        String msg = message();
        if (args[0].equals("seq")) {
            int n = Integer.parseInt(args[2]);
            Conn c = new Conn(http, uri);
            for (int i = 0; i < WARMUP; i++) {
                c.roundTrip(msg);
            }
            long[] t = new long[n];
            long sum = 0;
            for (int i = 0; i < n; i++) {
                t[i] = c.roundTrip(msg);
                sum += t[i];
            }
            c.close();
            Arrays.sort(t);
            System.out.println(String.format(Locale.ROOT, "%.4f %.4f %.4f", ms(median(t)), ms(percentile(t, 0.99)), ms(sum / n)));
        } else {
            int conns = Integer.parseInt(args[2]);
            int n = Integer.parseInt(args[3]);
            Conn[] cs = new Conn[conns];
            for (int i = 0; i < conns; i++) {
                cs[i] = new Conn(http, uri);
                for (int w = 0; w < WARMUP; w++) {
                    cs[i].roundTrip(msg);
                }
            }
            long[] all = new long[conns * n];
            Throwable[] failure = new Throwable[1];
            CountDownLatch go = new CountDownLatch(1);
            Thread[] threads = new Thread[conns];
            for (int i = 0; i < conns; i++) {
                final int k = i;
                threads[i] = new Thread(() -> {
                    try {
                        go.await();
                        for (int j = 0; j < n; j++) {
                            all[k * n + j] = cs[k].roundTrip(msg);
                        }
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                    }
                });
                threads[i].start();
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
            long wall = System.nanoTime() - t0;
            if (failure[0] != null) {
                throw new IllegalStateException("a connection failed", failure[0]);
            }
            for (Conn c : cs) {
                c.close();
            }
            Arrays.sort(all);
            System.out.println(String.format(Locale.ROOT, "%.1f %.4f %.4f",
                    all.length / (wall / 1e9), ms(median(all)), ms(percentile(all, 0.99))));
        }
        System.exit(0);
    }
}
