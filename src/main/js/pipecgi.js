// pipecgi.js: a connection to a pipecgi endpoint with the shape of the browser's WebSocket.
// Each send() is one POST; its response is one message event, and messages are delivered in send
// order even when several requests are in flight. With the listen option one GET is kept waiting
// for the server's own messages (long polling). With the session option the connection is a
// session: one service process for the whole conversation, each send() a line of its stdin, each
// line of its stdout a message, whenever it writes it. No dependencies; see README.md, "In the
// browser" and "Sessions".

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// Close codes. 4000 + the HTTP status is in the range RFC 6455 7.4.2 leaves to applications.
const NORMAL_CLOSURE = 1000;
const ABNORMAL_CLOSURE = 1006;
const HTTP_STATUS_BASE = 4000;

const GOING_AWAY = 1001;

const CURSOR_HEADER = "Pipecgi-Cursor";
const SESSION_HEADER = "Pipecgi-Session";
const SEQUENCE_HEADER = "Pipecgi-Sequence";
const CLOSE_HEADER = "Pipecgi-Close";
const LISTEN_RETRY_MS = 1000;
// A session's request that got no answer (or a proxy's 502, 503, 504) is sent again, the same:
// the server writes a message once and answers a poll from its cursor, whatever is repeated.
const SESSION_RETRIES = 3;
const SESSION_RETRY_MS = 500;

/** An error event that says which message failed and how. */
export class PipeErrorEvent extends Event {
  constructor(type, init = {}) {
    super(type);
    this.message = init.message ?? "";
    // The 1-based number of the send() that failed, or 0 for the listening request.
    this.sequence = init.sequence ?? 0;
    // The HTTP status and status text, or 0 and "" when no response came (a network failure).
    this.status = init.status ?? 0;
    this.statusText = init.statusText ?? "";
    // What was sent, so that a page can send it again.
    this.data = init.data;
  }
}

export class PipeConnection extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  #url;
  #origin;
  #maxInFlight;
  #errorPolicy;
  #listenUrl;
  #cursor;
  #session = null;
  #readyState = CONNECTING;
  #binaryType = "blob";
  #bufferedAmount = 0;
  #sent = 0;
  #inFlight = 0;
  // Sent and not yet delivered, in send order: {sequence, body, type, size, data, abort, result}.
  #pending = [];
  #listening = null;
  #closeCode = NORMAL_CLOSURE;
  #closeReason = "";
  #handlers = {};

  /**
   * @param url the endpoint, absolute or relative to the page
   * @param options maxInFlight (default 4): requests in flight at once;
   *     errorPolicy "close" (default) or "continue": what a failed message does to the connection;
   *     listen: true, or the URL of an endpoint that answers long polls (README, "listen");
   *     cursor: where listening starts ("" for now, the default);
   *     session: true, to open a session (README, "Sessions")
   */
  constructor(url, options = {}) {
    super();
    this.#url = new URL(url, globalThis.location?.href).href;
    this.#origin = new URL(this.#url).origin;
    this.#maxInFlight = options.maxInFlight ?? 4;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) {
      throw new RangeError("maxInFlight must be a whole number of at least 1");
    }
    this.#errorPolicy = options.errorPolicy ?? "close";
    if (this.#errorPolicy !== "close" && this.#errorPolicy !== "continue") {
      throw new RangeError('errorPolicy must be "close" or "continue"');
    }
    if (options.listen) {
      const listen = options.listen === true ? this.#url : options.listen;
      this.#listenUrl = new URL(listen, globalThis.location?.href).href;
    }
    this.#cursor = String(options.cursor ?? "");
    for (const type of ["open", "message", "error", "close"]) {
      this.addEventListener(type, (event) => this.#handlers[type]?.call(this, event));
    }
    if (options.session) {
      if (options.listen) {
        throw new TypeError("a session has its own messages: listen is for the other modes");
      }
      this.#session = { id: null, cursor: "0", poll: null };
      this.#openSession();
    } else if (this.#listenUrl) {
      // The first answer to the listening request is the handshake: open, or error and close.
      this.#listen();
    } else {
      // HTTP has no handshake: the connection opens once the page has had the chance to listen.
      setTimeout(() => this.#open(), 0);
    }
  }

  get url() { return this.#url; }
  get readyState() { return this.#readyState; }
  get bufferedAmount() { return this.#bufferedAmount; }
  get protocol() { return ""; }
  get extensions() { return ""; }
  get maxInFlight() { return this.#maxInFlight; }
  get errorPolicy() { return this.#errorPolicy; }
  /** Where the next listening request starts: keep it to resume after a reload. */
  get cursor() { return this.#cursor; }

  get binaryType() { return this.#binaryType; }
  set binaryType(type) {
    // As WebSocket does, an unknown type is ignored.
    if (type === "blob" || type === "arraybuffer") {
      this.#binaryType = type;
    }
  }

  get onopen() { return this.#handlers.open ?? null; }
  set onopen(f) { this.#handlers.open = typeof f === "function" ? f : null; }
  get onmessage() { return this.#handlers.message ?? null; }
  set onmessage(f) { this.#handlers.message = typeof f === "function" ? f : null; }
  get onerror() { return this.#handlers.error ?? null; }
  set onerror(f) { this.#handlers.error = typeof f === "function" ? f : null; }
  get onclose() { return this.#handlers.close ?? null; }
  set onclose(f) { this.#handlers.close = typeof f === "function" ? f : null; }

  /** Whether this connection is a session (the session option). */
  get session() { return this.#session !== null; }

  /**
   * Sends a string, Blob, ArrayBuffer or typed array (anything else as its string) as one POST.
   * In a session, a message is one line of text: a string with a line break, or binary data, is
   * refused. Unlike WebSocket, a send() after close() throws rather than drop the message unseen.
   */
  send(data) {
    if (this.#readyState !== OPEN) {
      throw new DOMException(
          this.#readyState === CONNECTING ? "the connection is not open yet" : "the connection is closing or closed",
          "InvalidStateError");
    }
    if (this.#session) {
      if (data instanceof Blob || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        throw new TypeError("a session's messages are lines of text");
      }
      if (/[\r\n]/.test(String(data))) {
        throw new DOMException("a session's message is one line: it cannot hold a line break", "SyntaxError");
      }
    }
    const message = { sequence: ++this.#sent, data, result: null, abort: null, ...body(data) };
    this.#pending.push(message);
    this.#bufferedAmount += message.size;
    this.#pump();
  }

  /** Lets the messages already sent finish, then closes; the close event is clean. */
  close(code, reason) {
    if (code !== undefined && code !== NORMAL_CLOSURE && !(code >= 3000 && code <= 4999)) {
      throw new DOMException("the close code must be 1000 or 3000-4999", "InvalidAccessError");
    }
    if (this.#readyState === CLOSING || this.#readyState === CLOSED) {
      return;
    }
    if (this.#readyState === CONNECTING) {
      this.#end(ABNORMAL_CLOSURE, "closed before it was open", false);
      return;
    }
    this.#readyState = CLOSING;
    this.#closeCode = code ?? NORMAL_CLOSURE;
    this.#closeReason = String(reason ?? "");
    this.#stopListening();
    this.#closeWhenDone();
  }

  /** Opens the session: its id comes in the answer, and with it the open event. */
  async #openSession() {
    const controller = new AbortController();
    this.#session.poll = controller;
    // A route of its own, at random: a proxy in front of several pipecgi instances hashes on it
    // (README, "Sessions behind a load balancer"); the id that comes back starts with it.
    const route = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(9))))
        .replace(/\+/g, "-").replace(/\//g, "_");
    const r = await this.#sessionRequest({ method: "POST", headers: { [SESSION_HEADER]: "new." + route } }, controller);
    if (r === null || this.#readyState !== CONNECTING) {
      if (r?.session) {
        this.#session.id = r.session; // closed while it opened: it ends at the server too
        this.#deleteSession(false);
      }
      return;
    }
    if (r.status !== 201 || !r.session) {
      const text = "session: " + (r.networkError ? "network error: " + r.networkError.message
          : r.status + " " + r.statusText + (r.status === 201 ? ", without a " + SESSION_HEADER + " header" : ""));
      // As a WebSocket whose handshake fails: error, then an unclean close.
      this.dispatchEvent(new PipeErrorEvent("error", { message: text, status: r.status ?? 0, statusText: r.statusText ?? "" }));
      this.#end(ABNORMAL_CLOSURE, text, false);
      return;
    }
    this.#session.id = r.session;
    this.#session.cursor = r.cursor ?? "0";
    // A page that goes away ends its session at once rather than after session-idle.
    globalThis.addEventListener?.("pagehide", () => this.#deleteSession(true), { once: true });
    this.#open();
    this.#pollSession();
  }

  /** Keeps one GET waiting for the service's lines while the session is open. */
  async #pollSession() {
    while (this.#readyState === OPEN) {
      const controller = new AbortController();
      this.#session.poll = controller;
      const r = await this.#sessionRequest({ headers: this.#sessionHeaders({ [CURSOR_HEADER]: this.#session.cursor }) }, controller);
      if (r === null || this.#readyState !== OPEN) {
        return;
      }
      if (r.status === 200 || r.status === 204) {
        this.#session.cursor = r.cursor ?? this.#session.cursor;
        if (r.status === 200) {
          this.#dispatchLines(r.data);
        }
      } else if (r.status === 410) {
        const [code, reason] = closing(r.closed);
        this.#session.id = null; // ended at the server: nothing to close there
        this.#end(code, reason, true);
      } else {
        const text = "session: " + (r.networkError ? "network error: " + r.networkError.message : r.status + " " + r.statusText);
        this.dispatchEvent(new PipeErrorEvent("error", { message: text, status: r.status ?? 0, statusText: r.statusText ?? "" }));
        this.#end(r.networkError ? ABNORMAL_CLOSURE : HTTP_STATUS_BASE + r.status, text, false);
      }
    }
  }

  #dispatchLines(text) {
    const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
    for (const line of lines) {
      if (this.#readyState !== OPEN) {
        return; // as a WebSocket: nothing is delivered once closing
      }
      this.dispatchEvent(new MessageEvent("message", { data: line, origin: this.#origin }));
    }
  }

  /** The headers of a request of this session, with {@code more}. */
  #sessionHeaders(more) {
    return { [SESSION_HEADER]: this.#session.id, ...more };
  }

  /**
   * One request of the session, sent again when no answer came or a proxy answered 502, 503 or
   * 504; its result, with the session's headers, or null when it was aborted.
   */
  async #sessionRequest(init, controller) {
    for (let attempt = 0; ; attempt++) {
      const r = await this.#request(this.#url, init, controller);
      const again = r !== null && (r.networkError || [502, 503, 504].includes(r.status))
          && !init.headers[SESSION_HEADER].startsWith("new");
      if (!again || attempt >= SESSION_RETRIES || controller.signal.aborted) {
        return r;
      }
      await new Promise((resolve) => setTimeout(resolve, SESSION_RETRY_MS << attempt));
    }
  }

  /** Ends the session at the server; a page that is going away cannot wait for the answer. */
  async #deleteSession(leaving) {
    if (!this.#session?.id) {
      return;
    }
    const init = { method: "DELETE", headers: this.#sessionHeaders({}), keepalive: leaving };
    this.#session.id = null; // once
    try {
      await fetch(this.#url, { ...init, cache: "no-store" });
    } catch {
      // the server ends it after session-idle
    }
  }

  #open() {
    if (this.#readyState === CONNECTING) {
      this.#readyState = OPEN;
      this.dispatchEvent(new Event("open"));
    }
  }

  #pump() {
    while (this.#inFlight < this.#maxInFlight) {
      const next = this.#pending.find((m) => m.abort === null);
      if (!next) {
        return;
      }
      this.#post(next);
    }
  }

  async #post(message) {
    const controller = new AbortController();
    message.abort = () => controller.abort();
    this.#inFlight++;
    const init = { method: "POST", body: message.body, headers: { "Content-Type": message.type } };
    const result = this.#session
      ? await this.#sessionRequest({ ...init, headers: this.#sessionHeaders({ ...init.headers, [SEQUENCE_HEADER]: String(message.sequence) }) }, controller)
      : await this.#request(this.#url, init, controller);
    this.#inFlight--;
    if (result === null) {
      return;
    }
    message.result = result;
    this.#bufferedAmount -= message.size;
    this.#deliver();
    this.#pump();
  }

  /** One request's result ({networkError} when no response came), or null when it was aborted. */
  async #request(url, init, controller) {
    try {
      const response = await fetch(url, { ...init, cache: "no-store", signal: controller.signal });
      return await this.#read(response, controller.signal);
    } catch (e) {
      return controller.signal.aborted ? null : { networkError: e };
    }
  }

  /** A response as a result: with its data for a success, its status alone for an error. */
  async #read(response, signal) {
    if (!response.ok) {
      await response.body?.cancel();
      return { status: response.status, statusText: response.statusText, closed: response.headers.get(CLOSE_HEADER) };
    }
    const type = response.headers.get("Content-Type") ?? "";
    let data;
    if (isText(type)) {
      data = new TextDecoder(charset(type)).decode(await response.arrayBuffer());
    } else if (this.#binaryType === "arraybuffer") {
      data = await response.arrayBuffer();
    } else {
      data = await response.blob();
    }
    if (signal.aborted) {
      throw new DOMException("aborted", "AbortError");
    }
    return {
      data, cursor: response.headers.get(CURSOR_HEADER), session: response.headers.get(SESSION_HEADER),
      status: response.status, statusText: response.statusText,
    };
  }

  /** Hands out the results at the head of the queue, so that messages arrive in send order. */
  #deliver() {
    while (this.#readyState !== CLOSED && this.#pending[0]?.result) {
      const message = this.#pending.shift();
      const r = message.result;
      const which = "message " + message.sequence + ": ";
      if (r.networkError) {
        this.#fail(message.sequence, message.data, 0, "", which + "network error: " + r.networkError.message);
      } else if (this.#session && r.status === 410) {
        // The session has ended: the poll brings the service's last lines, then the close.
        this.dispatchEvent(new PipeErrorEvent("error", { message: which + "not written: " + (r.closed ?? "the session has ended"),
          sequence: message.sequence, status: r.status, statusText: r.statusText, data: message.data }));
      } else if (this.#session && r.status < 300) {
        // Written to the service's stdin: its answer, if any, is a line of its own.
      } else if (r.status >= 300) {
        this.#fail(message.sequence, message.data, r.status, r.statusText, which + r.status + " " + r.statusText);
      } else {
        this.dispatchEvent(new MessageEvent("message", { data: r.data, origin: this.#origin }));
      }
    }
    this.#closeWhenDone();
  }

  /**
   * Reports a failure once, then follows the policy: a network failure always ends the connection
   * (wasClean false), as it does a WebSocket; an error status ends it only under "close".
   */
  #fail(sequence, data, status, statusText, text) {
    this.dispatchEvent(new PipeErrorEvent("error", { message: text, sequence, status, statusText, data }));
    if (status === 0) {
      this.#end(ABNORMAL_CLOSURE, text + this.#undelivered(), false);
    } else if (this.#errorPolicy === "close") {
      this.#end(HTTP_STATUS_BASE + status, text + this.#undelivered(), true);
    }
  }

  /** What a close leaves unsaid, so that no message is lost silently. */
  #undelivered() {
    const n = this.#pending.length;
    if (n === 0) {
      return "";
    }
    return "; " + n + (n === 1 ? " later message was" : " later messages were") + " not delivered";
  }

  #closeWhenDone() {
    if (this.#readyState === CLOSING && this.#pending.length === 0) {
      if (this.#session) {
        // The service's stdin is closed and its tree stopped; the close waits for the answer.
        this.#session.closing ??= this.#deleteSession(false)
            .then(() => this.#end(this.#closeCode, this.#closeReason, true));
        return;
      }
      this.#end(this.#closeCode, this.#closeReason, true);
    }
  }

  #end(code, reason, wasClean) {
    if (this.#readyState === CLOSED) {
      return;
    }
    this.#readyState = CLOSED;
    this.#stopListening();
    this.#deleteSession(false); // a session that an error ends ends at the server too
    for (const message of this.#pending) {
      message.abort?.();
    }
    this.#pending = [];
    this.#bufferedAmount = 0;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
  }

  #stopListening() {
    this.#listening?.abort();
    this.#listening = null;
    this.#session?.poll?.abort();
  }

  /** Keeps one GET waiting at the listen URL while the connection is open. */
  async #listen() {
    while (this.#readyState === CONNECTING || this.#readyState === OPEN) {
      const controller = new AbortController();
      this.#listening = controller;
      const result = await this.#request(withCursor(this.#listenUrl, this.#cursor), {}, controller);
      if (result === null || this.#readyState === CLOSING || this.#readyState === CLOSED) {
        return;
      }
      if (!(await this.#heard(result))) {
        return;
      }
    }
  }

  /** Handles one answer to the listening request; false when listening must stop. */
  async #heard(r) {
    if (r.networkError) {
      this.#fail(0, undefined, 0, "", "listen: network error: " + r.networkError.message);
      return false;
    }
    if (r.status < 300 && r.cursor !== null) {
      const changed = r.cursor !== this.#cursor;
      this.#cursor = r.cursor;
      this.#open();
      if (r.status !== 204 && changed) {
        this.dispatchEvent(new MessageEvent("message", { data: r.data, origin: this.#origin, lastEventId: r.cursor }));
      }
      return true;
    }
    const text = "listen: " + (r.status >= 300 ? r.status + " " + r.statusText : "no " + CURSOR_HEADER + " header in the answer");
    if (this.#readyState === CONNECTING) {
      // As a WebSocket whose handshake fails: error, then an unclean close, whatever the policy.
      this.dispatchEvent(new PipeErrorEvent("error", { message: text, status: r.status, statusText: r.statusText }));
      this.#end(ABNORMAL_CLOSURE, text, false);
      return false;
    }
    this.#fail(0, undefined, r.status, r.statusText, text);
    if (this.#readyState !== OPEN) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_MS));
    return true;
  }
}

/** The request body for send(data), its Content-Type and its size in bytes. */
function body(data) {
  if (data instanceof Blob) {
    return { body: data, type: data.type || "application/octet-stream", size: data.size };
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return { body: data, type: "application/octet-stream", size: data.byteLength };
  }
  const bytes = new TextEncoder().encode(String(data));
  return { body: bytes, type: "text/plain; charset=utf-8", size: bytes.byteLength };
}

/** Whether a response of this Content-Type is a message of text rather than a binary one. */
function isText(contentType) {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return type.startsWith("text/") || type === "application/json" || type.endsWith("+json")
      || type === "application/xml" || type.endsWith("+xml") || type === "application/javascript";
}

function charset(contentType) {
  const m = /;\s*charset="?([^";\s]+)/i.exec(contentType);
  try {
    return new TextDecoder(m ? m[1] : "utf-8").encoding;
  } catch {
    return "utf-8";
  }
}

/**
 * The close event's code and reason from a session's Pipecgi-Close ("CODE reason"): 1000 when the
 * service exited with status 0 or the page closed it, 1001 when pipecgi stops or the session
 * idled, 1008 when the page did not read its messages, 1011 when the service failed.
 */
function closing(header) {
  const m = /^(\d{4}) (.*)$/.exec(header ?? "");
  return m ? [Number(m[1]), m[2]] : [GOING_AWAY, header ?? "the session has ended"];
}

function withCursor(url, cursor) {
  const u = new URL(url);
  u.searchParams.set("cursor", cursor);
  return u.href;
}
