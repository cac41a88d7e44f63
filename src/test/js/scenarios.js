// What BrowserIT and the browser benchmark run in Chromium, against the real server that serves
// this file. Each scenario resolves to a plain object that the Java side checks.
import { PipeConnection } from "./pipecgi.js";

/** Everything a connection did, in the order it happened. */
function record(conn) {
  const log = { events: [], messages: [], errors: [], close: null, opened: false };
  conn.addEventListener("open", () => { log.opened = true; log.events.push("open"); });
  conn.addEventListener("message", (e) => { log.messages.push(e); log.events.push("message"); });
  conn.addEventListener("error", (e) => {
    log.errors.push({ message: e.message, sequence: e.sequence, status: e.status, statusText: e.statusText });
    log.events.push("error");
  });
  conn.addEventListener("close", (e) => {
    log.close = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    log.events.push("close");
  });
  log.closed = new Promise((resolve) => conn.addEventListener("close", resolve));
  return log;
}

function opened(conn) {
  return new Promise((resolve, reject) => {
    conn.addEventListener("open", resolve);
    conn.addEventListener("close", (e) => reject(new Error("closed before open: " + e.code + " " + e.reason)));
  });
}

/** Records a new connection (a PipeConnection or a WebSocket) and waits for it to open. */
async function recordOpen(conn, ms = HANG) {
  const log = record(conn);
  await within(ms, opened(conn), "open");
  return log;
}

/**
 * How long a scenario waits before it calls a wait a hang: long enough for the slowest, busiest
 * machine (and under the driver's five-minute script timeout). A passing scenario never waits for it.
 */
const HANG = 240000;

function within(ms, promise, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timed out: " + what)), ms))]);
}

/** Text of `size` characters, some of them outside the BMP, unique to message i. */
function text(i, size) {
  const unit = "é☃😀 pipecgi " + i + " ";
  // By code points: cutting between the halves of a surrogate pair would make text that UTF-8
  // cannot carry.
  return Array.from(i + ":" + unit.repeat(Math.ceil(size / 10))).slice(0, size).join("");
}

const SIZES = [0, 1, 10, 100, 1000, 10000, 100000, 256 * 1024];

/** count messages of mixed sizes; every answer must equal what was sent, in send order. */
export async function ordered({ endpoint, count, maxInFlight, numbered }) {
  const conn = new PipeConnection(endpoint, { maxInFlight });
  const log = await recordOpen(conn);
  const sent = [];
  let maxBuffered = 0;
  for (let i = 0; i < count; i++) {
    let m = text(i, SIZES[i % SIZES.length]);
    if (numbered) {
      // "N:" tells the rendezvous service which message it runs.
      m = i + ":" + m;
    }
    sent.push(m);
    conn.send(m);
    maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
  }
  conn.close();
  await within(HANG, log.closed, "all answers");
  const got = log.messages.map((e) => e.data);
  const firstWrong = got.findIndex((d, i) => d !== sent[i]);
  return {
    sent: sent.length,
    received: got.length,
    firstWrong,
    wrongSample: firstWrong < 0 ? null : { expectedLength: sent[firstWrong]?.length, gotLength: got[firstWrong]?.length },
    allStrings: got.every((d) => typeof d === "string"),
    maxBuffered,
    bufferedAfter: conn.bufferedAmount,
    errors: log.errors,
    close: log.close,
  };
}

/** Binary messages of every kind, in both binaryTypes: the bytes must come back exact. */
export async function binary({ endpoint }) {
  const bytes = new Uint8Array(300 * 1024);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = (i * 131 + (i >> 8)) & 0xff;
  }
  const inputs = [
    ["Uint8Array", bytes],
    ["ArrayBuffer", bytes.buffer.slice(0, 70000)],
    ["DataView", new DataView(bytes.buffer, 1000, 256)],
    ["Int32Array", new Int32Array(bytes.buffer, 4096, 1000)],
    ["Blob", new Blob([bytes.subarray(5, 100000)])],
    ["empty", new Uint8Array(0)],
    ["all 256 values", Uint8Array.from({ length: 256 }, (_, i) => i)],
  ];
  const results = [];
  for (const binaryType of ["arraybuffer", "blob"]) {
    const conn = new PipeConnection(endpoint);
    conn.binaryType = binaryType;
    const log = await recordOpen(conn);
    for (const [, data] of inputs) {
      conn.send(data);
    }
    conn.close();
    await within(HANG, log.closed, "binary answers");
    for (let i = 0; i < inputs.length; i++) {
      const [name, data] = inputs[i];
      const e = log.messages[i];
      const expected = await asBytes(data);
      const kind = e === undefined ? "missing" : e.data instanceof ArrayBuffer ? "arraybuffer" : e.data instanceof Blob ? "blob" : typeof e.data;
      const got = e === undefined ? null : await asBytes(e.data);
      results.push({ binaryType, name, kind, exact: got !== null && equal(expected, got), length: got?.length ?? -1 });
    }
    if (log.errors.length > 0 || !log.close?.wasClean) {
      results.push({ binaryType, name: "connection", kind: JSON.stringify(log.errors) + JSON.stringify(log.close), exact: false });
    }
  }
  return results;
}

async function asBytes(data) {
  if (data instanceof Blob) {
    return new Uint8Array(await data.arrayBuffer());
  }
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function equal(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Sends the given messages under a policy and reports what the page saw, in order. */
export async function failures({ endpoint, messages, errorPolicy }) {
  const conn = new PipeConnection(endpoint, { errorPolicy, maxInFlight: 4 });
  const log = await recordOpen(conn);
  for (const m of messages) {
    conn.send(m);
  }
  if (errorPolicy === "continue") {
    conn.close();
  }
  await within(HANG, log.closed, "close");
  return { events: log.events, messages: log.messages.map((e) => e.data), errors: log.errors, close: log.close, readyState: conn.readyState };
}

/** close() with messages in flight: they all arrive, sending is refused, then a clean close. */
export async function closeInFlight({ endpoint, count }) {
  const conn = new PipeConnection(endpoint, { maxInFlight: 4 });
  const log = await recordOpen(conn);
  for (let i = 0; i < count; i++) {
    conn.send("message " + i);
  }
  conn.close(4001, "done here");
  const stateAfterClose = conn.readyState;
  let sendAfterClose = "no exception";
  try {
    conn.send("too late");
  } catch (e) {
    sendAfterClose = e.name;
  }
  await within(HANG, log.closed, "close");
  return { stateAfterClose, sendAfterClose, messages: log.messages.map((e) => e.data), events: log.events, close: log.close, readyState: conn.readyState };
}

/** Starts a conversation that the server will not finish; BrowserIT stops the server meanwhile. */
export async function startConversation({ endpoint, count }) {
  const conn = new PipeConnection(endpoint, { maxInFlight: 2 });
  const log = await recordOpen(conn);
  for (let i = 0; i < count; i++) {
    conn.send("message " + i);
  }
  globalThis.conversation = { conn, log };
  return { bufferedAmount: conn.bufferedAmount };
}

export async function endOfConversation() {
  const { conn, log } = globalThis.conversation;
  await within(HANG, log.closed, "close after the server went away");
  return { events: log.events, messages: log.messages.length, errors: log.errors, close: log.close, readyState: conn.readyState };
}

/** listen at an endpoint that is not a listening one: the handshake fails, as a WebSocket's would. */
export async function listenWithoutCursor({ endpoint }) {
  const conn = new PipeConnection(endpoint, { listen: true, errorPolicy: "continue" });
  const log = record(conn);
  let sendWhileConnecting = "no exception";
  try {
    conn.send("too early");
  } catch (e) {
    sendWhileConnecting = e.name;
  }
  await within(HANG, log.closed, "close");
  return { sendWhileConnecting, events: log.events, errors: log.errors, close: log.close };
}

/** A chat member: listens to the room and keeps what it hears, line by line. */
export async function join({ endpoint, name }) {
  // One message in flight at a time: the room gets this member's lines in the order said.
  const conn = new PipeConnection(endpoint, { listen: true, errorPolicy: "continue", maxInFlight: 1 });
  const log = record(conn);
  const lines = [];
  conn.addEventListener("message", (e) => {
    if (e.lastEventId !== "") {
      lines.push(...e.data.split("\n").filter((l) => l !== ""));
    }
  });
  await within(HANG, opened(conn), "open");
  globalThis.member = { conn, log, lines, name };
  return { cursor: conn.cursor };
}

/** Says `count` numbered lines, then a last one, "NAME: bye". */
export async function say({ count }) {
  const { conn, name } = globalThis.member;
  for (let i = 0; i < count; i++) {
    conn.send(name + ": line " + i);
  }
  conn.send(name + ": bye");
  return { sent: count + 1 };
}

/**
 * Waits until this member has heard the last line of each of `members` (the lines ending in
 * "bye"), then leaves the room. The room keeps each member's lines in the order said, so by then
 * every line said before is in too.
 */
export async function heard({ members }) {
  const { conn, log, lines } = globalThis.member;
  const deadline = performance.now() + HANG;
  const heardAll = () => members.every((m) => lines.includes(m + ": bye"));
  while (!heardAll() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  conn.close();
  await within(HANG, log.closed, "close");
  return { lines, errors: log.errors, close: log.close, cursor: conn.cursor };
}

/**
 * A session with a line service (cat, or one that numbers its lines): count lines sent with
 * maxInFlight requests at once; every line must come back in send order. Then close().
 */
export async function sessionLines({ endpoint, count, maxInFlight, numbered }) {
  const conn = new PipeConnection(endpoint, { session: true, maxInFlight });
  const log = await recordOpen(conn);
  const sent = [];
  for (let i = 0; i < count; i++) {
    const line = text(i, SIZES[i % 5]); // up to 1,000 characters a line
    sent.push(line);
    conn.send(line);
  }
  let refused = "no exception";
  try {
    conn.send("two\nlines");
  } catch (e) {
    refused = e.name;
  }
  const deadline = performance.now() + HANG;
  while (log.messages.length < count && log.close === null && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  conn.close();
  await within(HANG, log.closed, "close");
  const expected = numbered ? sent.map((l, i) => (i + 1) + " " + l) : sent;
  const got = log.messages.map((e) => e.data);
  return { received: got.length, firstWrong: got.findIndex((d, i) => d !== expected[i]), refused,
    errors: log.errors, close: log.close, readyState: conn.readyState, session: conn.session };
}

/** A session whose service talks by itself, then exits: its lines, then how it closed. */
export async function sessionToTheEnd({ endpoint }) {
  const conn = new PipeConnection(endpoint, { session: true });
  const log = await recordOpen(conn);
  await within(HANG, log.closed, "the service's end");
  return { messages: log.messages.map((e) => e.data), errors: log.errors, close: log.close, events: log.events };
}

/** A session that cannot open: error, then an unclean close, as a failed WebSocket handshake. */
export async function sessionRefused({ endpoint }) {
  const conn = new PipeConnection(endpoint, { session: true });
  const log = record(conn);
  await within(HANG, log.closed, "close");
  return { events: log.events, errors: log.errors, close: log.close };
}

/** Opens `count` sessions with a line-echoing service, each checked with one line; keeps them. */
export async function openSessions({ endpoint, count }) {
  globalThis.sessions = [];
  for (let i = 0; i < count; i++) {
    const conn = new PipeConnection(endpoint, { session: true });
    const log = await recordOpen(conn);
    globalThis.sessions.push({ conn, log });
  }
  for (const { conn, log } of globalThis.sessions) {
    conn.send("ping");
    await within(HANG, until(() => log.messages.length === 1 || log.close), "ping");
  }
  return { open: globalThis.sessions.filter((s) => s.conn.readyState === PipeConnection.OPEN).length };
}

/**
 * After one of the instances has stopped: each session either still answers a line, or has
 * closed (or closes); never a hang. Returns how each ended up.
 */
export async function sessionsAfterAStop() {
  const outcomes = [];
  for (const { conn, log } of globalThis.sessions) {
    if (conn.readyState === PipeConnection.OPEN) {
      try {
        conn.send("still there?");
      } catch {
        // closed meanwhile
      }
    }
    await within(HANG, until(() => log.messages.length === 2 || log.close), "an answer or a close");
    if (log.close) {
      outcomes.push({ closed: log.close.code, reason: log.close.reason });
    } else {
      outcomes.push({ answered: log.messages[1].data });
      conn.close();
      await within(HANG, log.closed, "close");
    }
  }
  return { outcomes };
}

function until(condition) {
  return new Promise((resolve) => {
    const check = () => (condition() ? resolve() : setTimeout(check, 20));
    check();
  });
}

/** Round trips, one message at a time and with inFlight outstanding: PipeConnection or WebSocket. */
export async function roundTrips({ endpoint, webSocket, session, count, inFlight, size }) {
  const payload = "x".repeat(size);
  const conn = webSocket ? new WebSocket(endpoint) : new PipeConnection(endpoint, { maxInFlight: inFlight, session: !!session });
  const log = await recordOpen(conn);
  const times = [];
  const starts = [];
  let next = 0;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const sendOne = () => {
    starts.push(performance.now());
    // websocketd adds the newline that ends the line for cat, and takes it off the answer.
    conn.send(payload);
    next++;
  };
  let wrong = 0;
  conn.addEventListener("message", (e) => {
    times.push(performance.now() - starts[times.length]);
    if (e.data !== payload) {
      wrong++;
    }
    if (next < count) {
      sendOne();
    } else if (times.length === count) {
      done();
    }
  });
  const started = performance.now();
  for (let i = 0; i < Math.min(inFlight, count); i++) {
    sendOne();
  }
  await within(HANG, finished, "round trips (" + times.length + " of " + count + " answered)");
  const seconds = (performance.now() - started) / 1000;
  conn.close();
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: times.length, wrong, median: at(0.5), p99: at(0.99), perSecond: count / seconds, times, errors: log.errors };
}
