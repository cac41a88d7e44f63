package pipecgi.fastcgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import pipecgi.core.Endpoint;
import pipecgi.core.ErrorLog;
import pipecgi.core.Exchange;
import pipecgi.core.Response;
import pipecgi.session.Sessions;

/**
 * One connection from a web server, in the Responder role: it reads records, gathers a request's
 * PARAMS (its meta-variables) and STDIN (its body), runs the endpoint's exchange on a thread of
 * its own, and sends the response as STDOUT records, the log lines as STDERR records, and
 * END_REQUEST. One request at a time, as every web server sends them (FCGI_MPXS_CONNS is 0).
 * Anything that breaks the protocol closes the connection, with one log line.
 */
final class FastCgiConnection implements Runnable {
  /** The most a request's PARAMS may hold: far more than any server's header limit. */
  static final int MAX_PARAMS_BYTES = 1024 * 1024;

  private final Transport transport;
  private final FastCgiServer server;
  private final RecordReader reader;
  private final RecordWriter writer;
  /** The request being answered, or null. */
  private volatile Request current;
  /** The last request answered: what still comes for it (the rest of its body) is dropped. */
  private volatile int lastEnded = -1;
  /** The thread of the request being answered, or of the last one. */
  private Thread answering;

  /** What a connection reads from, writes to, and closes. */
  interface Transport {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    void close();
  }

  FastCgiConnection(Transport transport, FastCgiServer server) throws IOException {
    this.transport = transport;
    this.server = server;
    this.reader = new RecordReader(transport.in());
    this.writer = new RecordWriter(transport.out());
  }

  @Override
  public void run() {
    try {
      for (Record r; (r = reader.next()) != null; ) {
        if (r.requestId() == Record.NULL_REQUEST_ID) {
          management(r);
        } else {
          request(r);
        }
      }
    } catch (ProtocolException e) {
      server.log().line("closed a FastCGI connection that broke the protocol: " + e.getMessage());
    } catch (IOException e) {
      // The server closed the connection, or broke it: nothing is left to say to it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Request r = current;
      if (r != null) {
        r.connectionEnded();
      }
      transport.close();
      awaitAnswer();
    }
  }

  /** A connection is over once its last request is: its service stopped, its thread gone. */
  private void awaitAnswer() {
    if (answering != null) {
      try {
        answering.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** GET_VALUES (section 4.1); any other management record is an UNKNOWN_TYPE (section 4.2). */
  private void management(Record r) throws IOException, ProtocolException {
    if (r.type() != Record.GET_VALUES) {
      writer.write(Record.UNKNOWN_TYPE, Record.NULL_REQUEST_ID,
          new byte[] {(byte) r.type(), 0, 0, 0, 0, 0, 0, 0}, 0, 8);
      return;
    }
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    for (String name : Params.decode(r.content()).keySet()) {
      String value = server.value(name);
      if (value != null) {
        answers.put(name, value);
      }
    }
    byte[] body = Params.encode(answers);
    writer.write(Record.GET_VALUES_RESULT, Record.NULL_REQUEST_ID, body, 0, body.length);
  }

  private void request(Record r) throws IOException, ProtocolException, InterruptedException {
    Request open = current;
    int id = r.requestId();
    if (r.type() == Record.BEGIN_REQUEST) {
      begin(r, open);
    } else if (open == null || open.id != id) {
      // A late record for the request just answered (the rest of a body it did not need, an
      // abort that crossed the answer) is dropped; for any other, the peer is lost.
      if (id != lastEnded || r.type() == Record.PARAMS && r.content().length > 0) {
        throw new ProtocolException("a " + Record.name(r.type()) + " record for request " + id
            + ", which is not open");
      }
    } else if (r.type() == Record.PARAMS) {
      open.params(r.content());
    } else if (r.type() == Record.STDIN) {
      open.stdin(r.content());
    } else if (r.type() == Record.ABORT_REQUEST) {
      open.abort("the web server aborted the request (FCGI_ABORT_REQUEST: its client has gone)");
    } else {
      throw new ProtocolException("a " + Record.name(r.type()) + " record for request " + id
          + " (pipecgi plays the Responder role: BEGIN_REQUEST, PARAMS, STDIN, ABORT_REQUEST)");
    }
  }

  private void begin(Record r, Request open) throws IOException, ProtocolException {
    byte[] b = r.content();
    if (b.length != 8) {
      throw new ProtocolException("a BEGIN_REQUEST of " + b.length + " bytes (it has 8)");
    }
    int role = (b[0] & 0xff) << 8 | b[1] & 0xff;
    boolean keepConnection = (b[2] & Record.KEEP_CONN) != 0;
    if (open != null) {
      writer.endRequest(r.requestId(), 0, Record.CANT_MPX_CONN);
    } else if (role != Record.RESPONDER) {
      writer.endRequest(r.requestId(), 0, Record.UNKNOWN_ROLE);
      lastEnded = r.requestId();
    } else {
      current = new Request(r.requestId(), keepConnection);
    }
  }

  /** One request's state, from BEGIN_REQUEST to END_REQUEST. */
  private final class Request implements Runnable {
    final int id;
    final boolean keepConnection;
    final ByteArrayOutputStream params = new ByteArrayOutputStream();
    final StdinPipe stdin = new StdinPipe();
    private boolean started;
    private volatile Exchange exchange;
    private volatile String aborted;

    Request(int id, boolean keepConnection) {
      this.id = id;
      this.keepConnection = keepConnection;
    }

    void params(byte[] b) throws ProtocolException {
      if (started) {
        throw new ProtocolException("PARAMS for request " + id + " after their end");
      }
      if (b.length == 0) {
        started = true;
        answering = new Thread(this, "pipecgi-fastcgi-request");
        answering.start();
      } else if (params.size() + b.length > MAX_PARAMS_BYTES) {
        throw new ProtocolException("PARAMS of request " + id + " over " + MAX_PARAMS_BYTES
            + " bytes");
      } else {
        params.writeBytes(b);
      }
    }

    void stdin(byte[] b) throws ProtocolException, InterruptedException {
      if (!started) {
        throw new ProtocolException("STDIN for request " + id + " before the end of its PARAMS");
      }
      if (b.length == 0) {
        stdin.end();
      } else {
        stdin.put(b);
      }
    }

    void abort(String why) {
      aborted = why;
      Exchange e = exchange;
      if (e != null) {
        e.abort(why);
      }
      stdin.fail(why);
    }

    /** The connection is gone: the service stops, since nobody is left to answer. */
    void connectionEnded() {
      abort("the web server closed the FastCGI connection (its client has probably gone)");
    }

    @Override
    public void run() {
      OutputStream stderr = new RecordStream(writer, Record.STDERR, id, server.err());
      Endpoint endpoint = null;
      try {
        Map<String, String> variables = Params.decode(params.toByteArray());
        endpoint = server.endpoint(variables);
        if (endpoint == null) {
          new ErrorLog(stderr, null).line("404 Not Found: no endpoint for "
              + FastCgiServer.script(variables) + " (no NAME.conf for it)");
          answer(Response.error(404).set("X-Content-Type-Options", "nosniff"), false);
          return;
        }
        if (server.sessions() != null && Sessions.isFor(endpoint)) {
          answer(server.sessions().respond(endpoint, variables, server.ownFor(variables), stdin)
              .join(), false);
          return;
        }
        try (Exchange e = endpoint.open(variables, server.ownFor(variables), stdin, stderr)) {
          exchange = e;
          if (aborted != null) {
            e.abort(aborted);
          }
          answer(server.respond(e), e.isHead());
        }
      } catch (ProtocolException e) {
        server.log().line("closed a FastCGI connection that broke the protocol: "
            + e.getMessage());
        transport.close();
      } catch (IOException e) {
        new ErrorLog(server.err(), endpoint == null ? null : endpoint.name()).line("cannot send"
            + " a response to the web server (it has probably closed the connection): "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        transport.close();
      }
    }

    private void answer(Response response, boolean head) throws IOException {
      stdin.abandon();
      response.writeTo(new RecordStream(writer, Record.STDOUT, id), head);
      writer.end(Record.STDOUT, id);
      // Before END_REQUEST goes out: the server may send the next BEGIN_REQUEST at once.
      lastEnded = id;
      current = null;
      writer.endRequest(id, 0, Record.REQUEST_COMPLETE);
      if (!keepConnection) {
        transport.close();
      }
    }
  }
}
