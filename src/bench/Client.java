// WebSocket round trips for src/bench/run, the part of the benchmark that ab cannot do. JDK only:
//
//   java src/bench/Client.java seq URL N            N round trips one after another on one connection
//   java src/bench/Client.java par URL CONNS N      CONNS connections at once, N round trips each
//
// A round trip sends one text message of 1023 characters and waits for the same text back
// (websocketd is line-oriented: it adds the newline on the service's stdin, so the service reads
// 1024 bytes, and sends the line back as one message without it). A wrong or missing reply, or none
// within 10 seconds, fails the run. Before timing, each connection makes 20 untimed round trips.
// Prints one line of numbers for the script:
//   seq: MEDIAN_MS P99_MS MEAN_MS
//   par: MESSAGES_PER_SECOND MEDIAN_MS P99_MS
import java.net.URI;
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

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("seq") && args.length == 3 || args[0].equals("par") && args.length == 4)) {
            System.err.println("usage: java Client.java seq URL N | par URL CONNECTIONS N");
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
