/**
 * Herald browser client: a plain ES module, no build step, no dependencies.
 *
 *   import { Herald } from './herald.js';
 *   const herald = new Herald('wss://push.example.com/ws', { token });
 *   herald.on('message', ({ data, seq }) => show(data));
 *   herald.on('replay', ({ recovered }) => { if (!recovered) reloadFromBackend(); });
 *   herald.send({ typing: true });            // to the application behind Herald
 *   herald.sendTo({ group: 'room' }, 'hi');   // relayed to other clients, if the server's policy allows
 *   herald.resumeGroup('room');               // the backend joined this client to a durable group: catch up
 *
 * What it does for the application (PROTOCOL.md describes the frames):
 * - connects, and reconnects after any drop with full-jitter exponential backoff, except after the
 *   close codes that mean "do not reconnect" (1003, 1009, 4100-4199) or close(), and more slowly after
 *   4002 (flooding). After 1012 (the server drains: it restarts or leaves service) or 1001 (the server
 *   went away) the first attempt waits a random time below `drainReconnectMaxDelay` instead, so that a
 *   stopping server's clients spread their reconnects, and the close does not count as a failure;
 * - watches the server: pings it when it has been quiet, and reconnects when it has been silent past the
 *   heartbeat timeout (the welcome frame's, unless overridden); answers the server's pings;
 * - durable streams: remembers the last processed seq of the uid's stream (and its epoch) in storage, so
 *   that a reconnect or a page reload resumes after it; drops duplicates; delivers in seq order; and
 *   acknowledges cumulatively, in batches. The `message` handler therefore sees each durable message once.
 *   When the server says history was lost, a `replay` event with `recovered: false` says so;
 * - durable groups: remembers its own last processed seq (and epoch) per group, in the same storage (groups
 *   have no acknowledgements: this position is the only one), for the `maxGroupPositions` most recently
 *   active groups; after each welcome it sends them in a `resume` frame, drops what it has processed
 *   already, and reports each group's (re)start with a `replay` event naming the group. A group the client
 *   is not in at the welcome (the backend adds it later) is resumed when it shows up: at the group's first
 *   replay or message that does not continue from the client's position, or by `resumeGroup(group)`;
 * - client messages sent while disconnected wait in a capped queue; what does not fit is reported with an
 *   `overflow` event, never dropped silently;
 * - learns why a handshake was refused: a browser's WebSocket reports a refusal (401, 403, 429, 503) only
 *   as close code 1006, like a network failure. After an attempt that never opened, it asks the same URL
 *   with a plain HTTP GET (same query, token included), which Herald answers with the same status and JSON
 *   error `{status, code, message}` (or 426 `upgrade_required` when nothing was refused), and emits a
 *   `refused` event. It then stops for good after 400 (bad parameters), 403 (origin not allowed, a token
 *   refused, development mode off) and 401 (no valid token: when `token` is a function, after one more
 *   attempt with a fresh token from it); after 429 and 503 it waits at least the `Retry-After` the server
 *   gave before the next attempt. A page on another origin than Herald can read these answers when its
 *   origin may connect, and can always read `origin_not_allowed` (PROTOCOL.md, "Refused handshakes");
 * - asks for joined frames (`?batch=1` on the WebSocket URL, never on the event stream's): the server may
 *   then send several frames as one JSON array, which is handled element by element, in order (PROTOCOL.md,
 *   "Joined frames");
 * - falls back to the event stream door (`/sse`: server-sent events down, frames POSTed up; PROTOCOL.md,
 *   "Event stream") when a WebSocket cannot open: at once where there is no `WebSocket`, else after
 *   `fallbackAfter` attempts in a row that never opened and that the server did not refuse (a proxy that
 *   drops upgrades looks like that). Everything else stays the same: the same events, positions, acks and
 *   reconnects. While on the event stream it tries a WebSocket again every `websocketRetry` ms (a probe
 *   that closes at once), and moves back to one when that opens.
 *
 * Options (one object; every key optional; defaults in brackets):
 * @typedef {Object} HeraldOptions
 * @property {string|null} [uid=null] development mode only: claim this uid at connect time (`?uid=`).
 * @property {string|function():(string|Promise<string>)|null} [token=null] a signed token sent as
 *   `?token=`; a function is called before every connection attempt (to refresh an expiring token).
 * @property {number} [minDelay=500] ms: the first reconnect waits a random time below this.
 * @property {number} [maxDelay=30000] ms: the cap of the exponential backoff.
 * @property {number} [drainReconnectMaxDelay=5000] ms: after close code 1012 (a draining server) or 1001
 *   (a server going away), the reconnect waits a random time below this (full jitter) instead of the
 *   first backoff delay.
 * @property {number} [connectTimeout=10000] ms: an attempt without a welcome frame by then is abandoned.
 * @property {number|null} [heartbeatTimeout=null] ms: reconnect when the server has been silent this
 *   long. null: the `heartbeat.timeout` of the welcome frame (60000 on a default server).
 * @property {number} [ackDelay=200] ms: an acknowledgement waits at most this long for more messages.
 * @property {number} [ackBatch=50] acknowledge at once when this many messages are unacknowledged.
 * @property {number} [queueLimit=100] client messages that may wait while disconnected.
 * @property {number} [maxFrameBytes=65536] the server's frame limit; a larger send() throws instead of
 *   getting the connection closed for good (1009).
 * @property {number} [maxGroupPositions=100] how many groups' positions are kept (the most recently
 *   active ones; an older one is forgotten, and that group then starts again where the server says) and
 *   resumed after a welcome. It bounds what a server naming ever new groups can make the client store;
 *   Herald refuses a resume naming more groups than `herald.limits.groups-per-client` (100), so keep it
 *   at most that.
 * @property {Storage|{getItem,setItem}|null} [storage=localStorage] where stream positions (the uid's
 *   and the groups') are kept, keyed by endpoint and uid. Tabs of one uid in one browser share
 *   localStorage, and so the positions:
 *   pass sessionStorage to give each tab its own (it still survives reloads). null: memory only.
 * @property {function} [WebSocket=globalThis.WebSocket] the WebSocket class (e.g. the `ws` package in Node).
 * @property {string[]} [transports=['websocket', 'sse']] the ways to connect, in order of preference:
 *   'websocket' (the URL given), 'sse' (the event stream door: the same URL with `sse` in place of its last
 *   path segment, e.g. `/ws` -> `/sse`, and the same query, token included).
 * @property {number} [fallbackAfter=2] failed WebSocket opens in a row, none refused by the server, after
 *   which the next attempt uses the event stream.
 * @property {number} [websocketRetry=300000] ms: while on the event stream, how often a WebSocket is tried again.
 * @property {function} [EventSource=globalThis.EventSource] the EventSource class.
 *
 * Events (`herald.on(type, fn)` returns a function that removes fn; `herald.off(type, fn)`):
 * - `state`    {state, previous, code?, reason?, delay?, attempt?}: state is 'connecting', 'connected'
 *              (welcome received), 'disconnected' (a reconnect is scheduled in `delay` ms) or 'closed' (final).
 * - `welcome`  {clientId, uid, heartbeat, transport}: transport is 'websocket' or 'sse'.
 * - `message`  {data, id, seq, from, to}: seq is null for non-durable messages (they are at most once);
 *              from (the sender's uid) and to are set on messages relayed from another client. A durable
 *              group message also has `group`, and its seq is in that group's stream: each group's
 *              messages come once each, in seq order (a seq may be skipped: a push that excluded this
 *              client).
 * - `replay`   {recovered, reason, since, seq, oldest, epoch, previous, group?}: a durable stream
 *              (re)started; `group` names the group for a group's stream, absent for the uid's.
 *              recovered:false means messages after `previous` up to `since` are lost to this client.
 * - `ack`      {seq}: an acknowledgement up to seq was sent.
 * - `overflow` {data, to?, reason}: a client message that will never be sent ('queue_full' or 'closed').
 * - `refused`  {status, code, message, retryAfter, final}: the server refused the handshake (see above);
 *              retryAfter is the Retry-After in seconds or null; final: no further attempt is made (the
 *              client is then 'closed', with the same `refused` object in the state event's detail).
 * - `error`    {source, code, message, error?}: source 'server' (an error frame; but `not_member`, the
 *              answer to a resume of a remembered group this connection is not in, which is expected),
 *              'handler' (a listener threw), 'storage' or 'client'.
 */

/** @type {Readonly<HeraldOptions>} */
export const DEFAULTS = Object.freeze({
  uid: null,
  token: null,
  minDelay: 500,
  maxDelay: 30000,
  drainReconnectMaxDelay: 5000,
  connectTimeout: 10000,
  heartbeatTimeout: null,
  ackDelay: 200,
  ackBatch: 50,
  queueLimit: 100,
  maxFrameBytes: 65536,
  maxGroupPositions: 100,
  storage: undefined, // undefined: localStorage where there is one, else memory
  WebSocket: undefined, // undefined: globalThis.WebSocket
  transports: Object.freeze(['websocket', 'sse']),
  fallbackAfter: 2,
  websocketRetry: 300000,
  EventSource: undefined, // undefined: globalThis.EventSource
});

/**
 * The transport of the next attempt: a WebSocket while it is wanted and available and has failed to open
 * fewer than `fallbackAfter` times in a row (failures the server explained with a refusal do not count),
 * else the event stream where it is wanted and available; null when neither is.
 */
export function chooseTransport(transports, websocketFailures, fallbackAfter, hasWebSocket, hasEventSource) {
  const usable = transports.filter((t) => (t === 'websocket' && hasWebSocket) || (t === 'sse' && hasEventSource));
  if (usable.length === 0) return null;
  // A WebSocket that keeps failing to open gives way to the next transport.
  if (usable[0] === 'websocket' && usable.length > 1 && websocketFailures >= fallbackAfter) return usable[1];
  return usable[0];
}

/** The event stream door beside a WebSocket URL: http(s), the last path segment `sse`, the same query. */
export function toStreamUrl(wsUrl) {
  const url = new URL(String(wsUrl));
  url.protocol = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/[^/]*$/, 'sse');
  return url;
}

/** Close codes after which reconnecting cannot help (PROTOCOL.md, "Close codes"). */
export function isFinalCloseCode(code) {
  return code === 1003 || code === 1009 || (code >= 4100 && code <= 4199);
}

/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(maxDelay, minDelay * 2^attempt)).
 * The randomness spreads the reconnects of many clients after a server restart over the whole window.
 */
export function backoffDelay(attempt, minDelay, maxDelay, random = Math.random) {
  const cap = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/**
 * Asks the server why a WebSocket to `wsUrl` did not open: a plain GET of the same URL (http(s) for ws(s),
 * same query). Resolves to the refusal {status, code, message, retryAfter} the server answers with, or null
 * when it would have accepted the handshake (426), cannot be reached, or answered something that is not a
 * Herald refusal (a proxy's error page, an answer this page may not read). Never rejects.
 */
export async function askWhy(wsUrl, timeoutMs = 10000, fetchFn = globalThis.fetch) {
  if (typeof fetchFn !== 'function') return null;
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  try {
    const response = await fetchFn(url.href, {
      cache: 'no-store', credentials: 'omit', redirect: 'error', signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.json();
    // Herald's own refusals repeat their status in the body; anything else is not one.
    if (response.status < 400 || response.status === 426 || body?.status !== response.status || typeof body.code !== 'string') return null;
    return {
      status: response.status,
      code: body.code,
      message: typeof body.message === 'string' ? body.message : '',
      retryAfter: retryAfterSeconds(response.headers.get('Retry-After')),
    };
  } catch {
    return null; // no answer, not JSON, or not readable from this origin: like a network failure
  }
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or null. */
export function retryAfterSeconds(header, now = Date.now()) {
  if (header == null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** ws(s) URL from a ws(s) or http(s) URL, absolute or relative to the page. */
export function toWebSocketUrl(url) {
  const base = globalThis.location?.href;
  const parsed = base ? new URL(String(url), base) : new URL(String(url));
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TypeError('Herald needs a ws:, wss:, http: or https: URL, not ' + parsed.protocol);
  }
  return parsed;
}

// Out-of-order durable messages wait this long for the missing ones before the client asks for a replay.
const GAP_WAIT_MS = 1000;
// ... and at most this many of them wait.
const GAP_BUFFER_MAX = 1000;

const OPEN = 1;
const CLOSED = 3;

// Herald's rule for uids and group names (PROTOCOL.md): a frame naming a group otherwise is not trusted.
const GROUP_NAME = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Whether two epochs can belong to the same stream: an unknown one (null) matches any. */
function sameEpoch(a, b) {
  return a == null || b == null || a === b;
}

/**
 * The group positions a client keeps: last processed seq and epoch per group, the most recently active
 * last, at most `max` of them (the least recently active is forgotten first), so that a server naming
 * ever new groups cannot make it grow without bound. Persisted as an array of [group, seq, epoch], which
 * keeps that order (object keys that look like numbers would not).
 */
export class GroupPositions {
  #max;
  #positions = new Map(); // group -> {seq, epoch}

  constructor(max) {
    this.#max = max;
  }

  get size() { return this.#positions.size; }

  get(group) { return this.#positions.get(group); }

  /** Records a position as the most recent; returns the group forgotten to make room, or null. */
  set(group, seq, epoch) {
    this.#positions.delete(group);
    this.#positions.set(group, { seq, epoch: epoch ?? null });
    if (this.#positions.size <= this.#max) return null;
    const oldest = this.#positions.keys().next().value;
    this.#positions.delete(oldest);
    return oldest;
  }

  /** The groups, most recently active first, as a resume frame's `groups` wants them. */
  resumeEntries() {
    return [...this.#positions].reverse();
  }

  toJSON() {
    return [...this.#positions].map(([group, { seq, epoch }]) => [group, seq, epoch]);
  }

  /** From stored JSON; entries that are not a valid position are skipped, and only the newest `max` kept. */
  static parse(text, max) {
    const positions = new GroupPositions(max);
    const entries = JSON.parse(text ?? '[]');
    if (!Array.isArray(entries)) return positions;
    for (const entry of entries.slice(Math.max(0, entries.length - max))) {
      if (!Array.isArray(entry)) continue;
      const [group, seq, epoch] = entry;
      if (typeof group === 'string' && GROUP_NAME.test(group) && Number.isSafeInteger(seq) && seq >= 0) {
        positions.set(group, seq, typeof epoch === 'string' ? epoch : null);
      }
    }
    return positions;
  }
}

/**
 * The event stream door behind the WebSocket interface that Herald uses (readyState, send, close, onopen,
 * onmessage, onclose): events down, each frame POSTed up to the URL the welcome names, one POST at a time
 * so that frames arrive in order. It opens with the welcome; a `close` event ends it with that event's code;
 * a stream that fails ends it with 1006, and Herald reconnects as after any drop (from its own position,
 * rather than letting EventSource reconnect by itself). A POST's refusal in Herald's words comes back as an
 * error frame, as a WebSocket's would; 404/403 (the server no longer knows this client) end the stream.
 */
export class StreamSocket {
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  #source;
  #base;
  #post = null;
  #posting = Promise.resolve();
  #fetch;

  constructor(wsUrl, EventSourceClass, fetchFn = globalThis.fetch) {
    this.#base = toStreamUrl(wsUrl);
    this.#fetch = (...args) => fetchFn(...args); // a browser's fetch refuses to run as another object's method
    this.#source = new EventSourceClass(this.#base.href);
    this.#source.onmessage = (event) => this.#event(event.data);
    this.#source.onerror = () => this.#end(1006, 'the event stream failed');
  }

  #event(text) {
    if (this.readyState === CLOSED) return;
    let frame = null;
    try {
      frame = JSON.parse(text);
    } catch {
      // Herald's #frame reports it
    }
    if (frame?.type === 'close') {
      this.#end(typeof frame.code === 'number' ? frame.code : 1006, frame.reason ?? '');
      return;
    }
    if (frame?.type === 'welcome' && this.readyState === 0) {
      this.#post = new URL(String(frame.post), this.#base);
      this.readyState = OPEN;
      this.onopen?.({});
    }
    this.onmessage?.({ data: text });
  }

  #end(code, reason) {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.#source.close();
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }

  send(text) {
    if (this.readyState !== OPEN) throw new Error('the event stream is not open');
    const post = this.#post.href;
    this.#posting = this.#posting
      .then(() => this.#fetch(post, {
        method: 'POST', body: text, cache: 'no-store', credentials: 'omit',
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, // a simple request: no CORS preflight
      }))
      .then(async (response) => {
        if (response.ok) return;
        if (response.status === 404 || response.status === 403) {
          this.#end(1006, 'the server no longer knows this client');
          return;
        }
        // 429: the stream says rate_limited itself; others are this frame's refusal.
        const body = await response.json().catch(() => null);
        if (response.status !== 429 && typeof body?.code === 'string') {
          this.#event(JSON.stringify({ type: 'error', code: body.code, message: String(body.message ?? '') }));
        }
      })
      .catch(() => {
        // the network: the stream fails too, and that ends the connection
      });
  }

  close() {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.#source.close();
  }
}

export class Herald {
  #options;
  #url;
  #WebSocket;
  #EventSource;
  #transport = null; // of the current or last connection: 'websocket' or 'sse'
  #websocketFailures = 0; // WebSocket opens in a row that failed without a refusal
  #probe = null; // a WebSocket tried while on the event stream
  #probeTimer = null;
  #lastUrl = null;
  #storage;
  #listeners = new Map();

  #ws = null;
  #state = 'connecting';
  #closed = false; // final: close() was called or the server said "do not reconnect"
  #attempt = 0; // reconnect attempts since the last welcome
  #attemptToken = 0; // tells a stale asynchronous connect (token fetch, refusal check) from the current one
  #freshTokenTried = false; // a 401 led to one more attempt with a fresh token since the last welcome
  #retryTimer = null;
  #watchdog = null;
  #heardAt = 0;
  #pinged = false;
  #welcome = null;
  #clientId = null;
  #uid;
  #queue = [];

  // The durable stream, for #uid.
  #seq = null; // last processed seq; null: unknown (no stored position and no stream start yet)
  #epoch = null;
  #told = false; // the server knows #seq on this connection (sent as ?since= or in a resume)
  #sentSinceFor = null; // the uid whose position the handshake carried
  #gated = false; // a resume was sent: ignore stream frames until its replay answers
  #inStream = false;
  #early = new Map(); // seq -> frame: arrived before the ones before it
  #gapTimer = null;
  #ackedSeq = -1; // highest seq acknowledged by this instance
  #unacked = 0;
  #ackTimer = null;
  #storageFailed = false;

  // Durable groups: this client's own position per group (groups have no acks: nothing else keeps it).
  #groups; // GroupPositions, for #uid
  // On this connection, per group: 'pending' (a resume was sent: ignore the group's frames until its
  // replay answers) or 'following' (the server streams the group from this client's position). A group
  // with neither is one the server does not know this client's position of.
  #groupStates = new Map();
  #groupAsked = new Map(); // group -> the `since` of the pending resume

  #onOnline = () => {
    if (this.#state === 'disconnected') this.reconnect();
  };

  /**
   * @param {string|URL} url the WebSocket endpoint, e.g. `wss://host/ws` (http(s) URLs are converted).
   * @param {HeraldOptions} [options]
   */
  constructor(url, options = {}) {
    const unknown = Object.keys(options).filter((key) => !(key in DEFAULTS));
    if (unknown.length > 0) throw new TypeError('unknown Herald option(s): ' + unknown.join(', '));
    this.#options = { ...DEFAULTS, ...options };
    for (const key of ['minDelay', 'maxDelay', 'drainReconnectMaxDelay', 'connectTimeout', 'ackDelay', 'ackBatch', 'queueLimit', 'maxFrameBytes', 'maxGroupPositions', 'fallbackAfter', 'websocketRetry']) {
      const value = this.#options[key];
      if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`option ${key} must be a number >= 0`);
    }
    this.#url = toWebSocketUrl(url);
    const transports = this.#options.transports;
    if (!Array.isArray(transports) || transports.length === 0 || transports.some((t) => t !== 'websocket' && t !== 'sse')) {
      throw new TypeError("option transports is a list of 'websocket' and 'sse'");
    }
    this.#WebSocket = this.#options.WebSocket ?? globalThis.WebSocket;
    this.#EventSource = this.#options.EventSource ?? globalThis.EventSource;
    if (this.#nextTransport() === null) {
      throw new TypeError('no WebSocket class (pass options.WebSocket) and no EventSource for the event stream');
    }
    this.#storage = chooseStorage(this.#options.storage);
    if (this.#options.uid != null && this.#options.token != null) {
      throw new TypeError('give either uid (development mode) or token, not both');
    }
    this.#uid = this.#options.uid ?? null;
    if (this.#uid !== null) this.#loadPosition();
    this.#loadGroups();
    globalThis.addEventListener?.('online', this.#onOnline);
    // Start on the next microtask, so that listeners attached right after `new` see the first events.
    queueMicrotask(() => this.#connect());
  }

  /** 'connecting', 'connected', 'disconnected' or 'closed'. */
  get state() { return this.#state; }
  /** This connection's clientId (from the welcome frame), or null. */
  get clientId() { return this.#clientId; }
  /** The uid this client is bound to (the `uid` option, or the welcome frame's), or null. */
  get uid() { return this.#uid; }
  /** The last durable seq handed to the application, or null when none is known yet. */
  get seq() { return this.#seq; }
  /** The epoch of the uid's stream, or null when not known yet. */
  get epoch() { return this.#epoch; }
  /** The last seq of `group`'s durable stream handed to the application, or null when none is known. */
  groupSeq(group) { return this.#groups.get(group)?.seq ?? null; }
  /** How many client messages wait for a connection. */
  get queued() { return this.#queue.length; }
  /** The WebSocket URL, without handshake parameters. */
  get url() { return this.#url.href; }
  /** How the current (or last) connection goes: 'websocket' or 'sse'; null before the first attempt. */
  get transport() { return this.#transport; }

  /** Adds a listener; returns a function that removes it. */
  on(type, listener) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  /**
   * Sends an application message (`{"type":"message","data":…}`); the server hands it to the application.
   * Returns 'sent' (handed to the open socket), 'queued' (waits for the connection) or 'dropped' (the
   * queue is full: an `overflow` event reports it). Like any WebSocket send, a message in flight when the
   * connection breaks can be lost: acknowledge it in the application if that matters.
   */
  send(data) {
    return this.#enqueue({ type: 'message', data });
  }

  /**
   * Sends a message for other clients: `to` is `{uid: 'bob'}` or `{group: 'room'}` (`{"type":"send",…}`).
   * The server relays it if its relay policy allows (else an `error` event, code relay_forbidden), and
   * hands it to the application either way. Returns like send().
   */
  sendTo(to, data) {
    const names = Object.keys(to ?? {});
    if (names.length !== 1 || !['uid', 'group'].includes(names[0]) || typeof to[names[0]] !== 'string') {
      throw new TypeError('sendTo() needs {uid: "…"} or {group: "…"}');
    }
    return this.#enqueue({ type: 'send', to: { [names[0]]: to[names[0]] }, data });
  }

  #enqueue(message) {
    if (this.#closed) throw new Error('this Herald client is closed');
    if (message.data === undefined) throw new TypeError('a message needs data (any JSON value)');
    const frame = JSON.stringify(message);
    const bytes = new TextEncoder().encode(frame).length;
    if (bytes > this.#options.maxFrameBytes) {
      throw new RangeError(`the message is ${bytes} bytes as a frame; the limit is ${this.#options.maxFrameBytes}`);
    }
    if (this.#state === 'connected' && this.#ws?.readyState === OPEN) {
      this.#ws.send(frame);
      return 'sent';
    }
    if (this.#queue.length >= this.#options.queueLimit) {
      this.#emit('overflow', { ...unsent(message), reason: 'queue_full' });
      return 'dropped';
    }
    this.#queue.push({ message, frame });
    return 'queued';
  }

  /**
   * (Re)starts the durable stream of `group`, which this client is in: after this client's position in
   * it, or, when it has none, after `from` (0: from the oldest message the group still keeps). After each
   * welcome the client resumes the groups it has positions for by itself; call this when the client joined
   * a group after connecting (the backend added it), to get what it missed there. Returns false when not
   * connected (the next welcome resumes the groups with positions).
   */
  resumeGroup(group, from = 0) {
    if (typeof group !== 'string' || !GROUP_NAME.test(group)) throw new TypeError('not a group name: ' + group);
    if (!Number.isSafeInteger(from) || from < 0) throw new TypeError('from must be a whole number >= 0');
    if (this.#state !== 'connected') return false;
    return this.#resumeGroups([group], from);
  }

  /** Reconnects now (e.g. when the application knows the network is back), resetting the backoff. */
  reconnect() {
    if (this.#closed) throw new Error('this Herald client is closed');
    this.#attempt = 0;
    this.#dropSocket();
    this.#connect();
  }

  /**
   * Closes for good: sends a pending acknowledgement, closes the socket (1000) and stops reconnecting.
   * Returns the data of the client messages that were still queued (they also get `overflow` events).
   */
  close() {
    if (this.#closed) return [];
    this.#sendAck();
    this.#closed = true;
    this.#dropSocket(1000, 'closed by the client');
    return this.#finish({});
  }

  // ---- connection lifecycle ----

  async #connect() {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const attempt = ++this.#attemptToken;
    this.#setState('connecting', { attempt: this.#attempt });

    let signed = null;
    const source = this.#options.token;
    if (source != null) {
      try {
        signed = typeof source === 'function' ? await source() : source;
      } catch (error) {
        if (attempt !== this.#attemptToken || this.#closed) return;
        this.#emit('error', { source: 'client', code: 'token', message: 'the token function failed: ' + error, error });
        this.#lost(null, 'no token');
        return;
      }
      if (attempt !== this.#attemptToken || this.#closed) return;
    }

    const url = new URL(this.#url);
    if (this.#options.uid != null) url.searchParams.set('uid', this.#options.uid);
    if (signed != null) url.searchParams.set('token', String(signed));
    // Tell the server where this client is, so that the stream starts right after it.
    this.#told = this.#uid !== null && this.#seq !== null;
    if (this.#told) {
      url.searchParams.set('since', String(this.#seq));
      if (this.#epoch) url.searchParams.set('epoch', this.#epoch);
    }
    this.#sentSinceFor = this.#told ? this.#uid : null;
    this.#lastUrl = url;

    let ws;
    const transport = this.#nextTransport();
    // A WebSocket takes several frames in one (PROTOCOL.md, "Joined frames"): fewer, larger frames make a
    // replay cheaper for the server. An event stream's events are never joined.
    if (transport === 'websocket') url.searchParams.set('batch', '1');
    try {
      ws = transport === 'sse' ? new StreamSocket(url, this.#EventSource) : new this.#WebSocket(url.href);
      this.#transport = transport;
    } catch (error) {
      this.#emit('error', { source: 'client', code: 'connect', message: String(error), error });
      this.#lost(null, String(error));
      return;
    }
    this.#ws = ws;
    this.#welcome = null;
    this.#heardAt = Date.now();
    this.#pinged = false;
    let opened = false;
    ws.onopen = () => { opened = true; };
    ws.onmessage = (event) => { if (this.#ws === ws) this.#frame(event.data, ws); };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      if (opened) this.#lost(event.code, event.reason);
      else this.#failedOpen(url, event.code, event.reason);
    };
    ws.onerror = () => { }; // a close event always follows, and carries what there is to know
    this.#armWatchdog();
  }

  #nextTransport() {
    return chooseTransport(this.#options.transports, this.#websocketFailures, this.#options.fallbackAfter,
      typeof this.#WebSocket === 'function', typeof this.#EventSource === 'function');
  }

  /**
   * The socket closed before it opened: ask the server whether it refused, and why (see askWhy; the
   * WebSocket URL's plain GET answers for the event stream too). A WebSocket that failed without a refusal
   * counts towards the fallback.
   */
  async #failedOpen(url, code, reason) {
    const transport = this.#transport;
    this.#dropSocket();
    const attempt = this.#attemptToken;
    const refusal = await askWhy(url, this.#options.connectTimeout);
    if (attempt !== this.#attemptToken || this.#closed) return; // reconnect() or close() meanwhile
    if (refusal) {
      this.#refused(refusal);
      return;
    }
    if (transport === 'websocket') this.#websocketFailures++;
    this.#lost(code, reason);
  }

  /**
   * On the event stream: opens a WebSocket now and then (the same query, without a position: it closes
   * at once). If it opens, the WebSocket way works again: reconnect over it, from this client's position.
   */
  #scheduleProbe() {
    if (this.#transport !== 'sse' || typeof this.#WebSocket !== 'function' || !this.#options.transports.includes('websocket')) return;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = null;
      const url = new URL(this.#lastUrl);
      url.searchParams.delete('since');
      url.searchParams.delete('epoch');
      let probe;
      try {
        probe = new this.#WebSocket(url.href);
      } catch {
        this.#scheduleProbe();
        return;
      }
      this.#probe = probe;
      probe.onopen = () => {
        this.#stopProbe();
        if (this.#transport !== 'sse' || this.#state !== 'connected') return;
        this.#websocketFailures = 0;
        this.#sendAck();
        this.#dropSocket();
        this.#connect();
      };
      probe.onclose = () => {
        if (this.#probe !== probe) return;
        this.#probe = null;
        this.#scheduleProbe();
      };
      probe.onerror = () => { };
    }, this.#options.websocketRetry);
  }

  #stopProbe() {
    clearTimeout(this.#probeTimer);
    this.#probeTimer = null;
    const probe = this.#probe;
    this.#probe = null;
    if (probe) {
      probe.onopen = probe.onclose = probe.onmessage = null;
      try {
        probe.close(1000, 'probe');
      } catch {
        // a probe that never opened may refuse to close in some implementations; it is gone either way
      }
    }
  }

  /** A refused handshake: stop when retrying cannot help, else retry no sooner than the server asked. */
  #refused({ status, code, message, retryAfter }) {
    let final = status === 400 || status === 403;
    if (status === 401) {
      // The token may have expired on its way: a token function gets one more chance to give a fresh one.
      final = typeof this.#options.token !== 'function' || this.#freshTokenTried;
      this.#freshTokenTried = true;
    }
    const refused = { status, code, message, retryAfter };
    this.#emit('refused', { ...refused, final });
    if (this.#closed) return; // a listener closed the client
    if (final) {
      this.#closed = true;
      this.#finish({ refused });
      return;
    }
    this.#lost(null, `refused: ${status} ${code}`, retryAfter);
  }

  /**
   * The connection is gone (or given up): reconnect with backoff unless that cannot help; not before
   * `retryAfter` seconds when the server said so.
   */
  #lost(code, reason, retryAfter = null) {
    this.#dropSocket();
    if (this.#closed) return;
    if (isFinalCloseCode(code)) {
      this.#closed = true;
      this.#finish({ code, reason });
      return;
    }
    let delay;
    if (code === 1012 || code === 1001) {
      // The server drains or stops: nothing failed. Each client waits its own random part of the window,
      // so that its clients do not all arrive at once at the other nodes; no backoff growth.
      delay = Math.floor(Math.random() * this.#options.drainReconnectMaxDelay);
    } else {
      // 4002: the server closed a client that kept sending over its rate; come back slower.
      if (code === 4002) this.#attempt = Math.max(this.#attempt, 4);
      delay = backoffDelay(this.#attempt, this.#options.minDelay, this.#options.maxDelay);
      this.#attempt++;
    }
    if (retryAfter > 0) {
      // At least what the server asked, plus some jitter so that its refused clients do not return together.
      delay = Math.max(delay, retryAfter * 1000 + Math.floor(Math.random() * this.#options.minDelay));
    }
    this.#setState('disconnected', { code, reason, delay, attempt: this.#attempt });
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Forgets the current socket (its late events are ignored) and everything tied to the connection. */
  #dropSocket(code = 1000, reason = '') {
    const ws = this.#ws;
    this.#ws = null;
    this.#attemptToken++;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    clearInterval(this.#watchdog);
    this.#watchdog = null;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    this.#stopProbe();
    this.#early.clear();
    this.#groupStates.clear();
    this.#groupAsked.clear();
    this.#inStream = false;
    this.#gated = false;
    this.#told = false;
    this.#welcome = null;
    this.#clientId = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close(code, reason);
      } catch {
        // closing a socket that never opened may throw in some implementations; it is gone either way
      }
    }
  }

  /** The final state: report the messages that will never be sent. */
  #finish(detail) {
    globalThis.removeEventListener?.('online', this.#onOnline);
    const lost = this.#queue.map((entry) => unsent(entry.message));
    this.#queue = [];
    this.#setState('closed', detail);
    for (const message of lost) this.#emit('overflow', { ...message, reason: 'closed' });
    return lost.map((message) => message.data);
  }

  /**
   * Checks the server's silence on a timer rather than re-arming a timeout per frame (cheap at high
   * rates). Before the welcome the limit is connectTimeout. The server pings only clients that are
   * silent, so a client that talks (acks, sends) pings the server itself when the server is quiet.
   */
  #armWatchdog() {
    clearInterval(this.#watchdog);
    const limit = this.#silenceLimit();
    const tick = Math.max(10, Math.min(1000, Math.floor(limit / 4)));
    this.#watchdog = setInterval(() => {
      const silent = Date.now() - this.#heardAt;
      const limitNow = this.#silenceLimit();
      if (silent >= limitNow) {
        const why = this.#welcome ? 'the server was silent for ' + silent + ' ms' : 'no welcome within ' + limitNow + ' ms';
        this.#lost(null, why);
      } else if (this.#welcome && !this.#pinged && silent >= this.#pingAfter()) {
        this.#pinged = true;
        this.#raw({ type: 'ping' });
      }
    }, tick);
  }

  #silenceLimit() {
    if (!this.#welcome) return this.#options.connectTimeout;
    return this.#options.heartbeatTimeout ?? this.#welcome.heartbeat?.timeout ?? 60000;
  }

  #pingAfter() {
    const half = this.#silenceLimit() / 2;
    const interval = this.#welcome?.heartbeat?.interval;
    return typeof interval === 'number' ? Math.min(interval, half) : half;
  }

  #setState(state, detail = {}) {
    const previous = this.#state;
    this.#state = state;
    this.#emit('state', { state, previous, ...detail });
  }

  #raw(frame) {
    if (this.#ws?.readyState === OPEN) {
      this.#ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // ---- frames ----

  #frame(text, ws) {
    this.#heardAt = Date.now();
    this.#pinged = false;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#emit('error', { source: 'client', code: 'bad_frame', message: 'the server sent a frame that is not JSON' });
      return;
    }
    if (!Array.isArray(frame)) {
      this.#handle(frame);
      return;
    }
    // Joined frames (batch=1), in order, as if each had come alone: once one of them ends this connection
    // (a welcome for another uid reconnects), the rest belong to a socket that is gone, like its late frames.
    for (const one of frame) {
      if (this.#ws !== ws) return;
      this.#handle(one);
    }
  }

  #handle(frame) {
    switch (frame?.type) {
      case 'welcome': return this.#onWelcome(frame);
      // A durable group message or replay names its group: it belongs to that group's stream, never to
      // the uid's (its position and acks).
      case 'message':
        if (frame.group !== undefined) return this.#onGroupMessage(frame);
        return typeof frame.seq === 'number' ? this.#onDurable(frame) : this.#deliver(frame);
      case 'replay': return frame.group === undefined ? this.#onReplay(frame) : this.#onGroupReplay(frame);
      case 'ping': this.#raw({ type: 'pong' }); return;
      case 'error': return this.#onError(frame);
      default: return; // pong, or a frame type newer than this client: nothing to do
    }
  }

  #onWelcome(frame) {
    const uid = frame.uid ?? null;
    if (uid !== this.#uid) {
      this.#uid = uid;
      if (uid !== null) this.#loadPosition();
      else { this.#seq = null; this.#epoch = null; }
      this.#loadGroups();
      this.#ackedSeq = -1;
      if (this.#sentSinceFor !== null) {
        // The handshake carried another uid's position (the token's user changed): start over with the
        // right one rather than untangle a stream started from a wrong place.
        this.#dropSocket();
        this.#connect();
        return;
      }
    }
    this.#welcome = frame;
    this.#clientId = frame.clientId ?? null;
    this.#attempt = 0;
    this.#freshTokenTried = false;
    if (this.#transport === 'websocket') this.#websocketFailures = 0;
    this.#armWatchdog(); // the limit is now the heartbeat timeout
    this.#scheduleProbe();
    this.#emit('welcome', { clientId: this.#clientId, uid, heartbeat: frame.heartbeat ?? null, transport: this.#transport });
    this.#setState('connected');
    // The handshake takes no group positions: they go in a resume right after the welcome.
    if (this.#groups.size > 0) this.#resumeGroups(this.#groups.resumeEntries().map(([group]) => group));
    if (this.#ws?.readyState !== OPEN) return; // closed by a listener meanwhile
    // Messages queued while disconnected go first, in the order they were sent.
    const queued = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queued.length; i++) {
      if (this.#ws?.readyState !== OPEN) { // closed by a listener meanwhile: keep the rest queued
        this.#queue = queued.slice(i).concat(this.#queue);
        break;
      }
      this.#ws.send(queued[i].frame);
    }
  }

  #onReplay(frame) {
    if (typeof frame.seq !== 'number') {
      // Mid-stream: messages were purged while this client was catching up; the next one follows `since`.
      if (this.#gated || !this.#inStream) return;
      if (this.#seq === null || frame.since > this.#seq) this.#restart(frame, frame.since);
      return;
    }
    if (this.#gated) {
      this.#gated = false; // the answer to our resume
    } else if (this.#seq !== null && !this.#told) {
      // The stream started from the server's idea of our position (the uid was not known at the handshake,
      // e.g. with a token). Tell it ours and ignore what comes before its answer.
      this.#resume();
      return;
    }
    this.#inStream = true;
    this.#told = true;
    if (frame.epoch != null) this.#epoch = frame.epoch;
    if (frame.recovered === false || (this.#seq !== null && frame.since > this.#seq)) {
      this.#restart(frame, frame.since);
    } else {
      const first = this.#seq === null;
      if (first) this.#seq = frame.since;
      this.#savePosition();
      this.#emit('replay', replayDetail(frame, first ? null : this.#seq, true));
    }
    // Acknowledge what this instance processed but has not acknowledged (before a drop or a reload).
    if (this.#seq > 0 && this.#seq > this.#ackedSeq) this.#sendAck();
  }

  /** History is lost up to `since`: say so and continue after it. */
  #restart(frame, since) {
    const previous = this.#seq;
    this.#seq = since;
    if (this.#ackedSeq > since) this.#ackedSeq = since; // a new epoch restarts the numbering
    if (frame.epoch != null) this.#epoch = frame.epoch;
    for (const seq of this.#early.keys()) if (seq <= since) this.#early.delete(seq);
    this.#savePosition();
    this.#emit('replay', { ...replayDetail(frame, previous, false), reason: frame.reason ?? 'gap' });
  }

  #resume() {
    this.#early.clear();
    clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
    const frame = { type: 'resume' };
    if (this.#seq !== null) frame.since = this.#seq;
    if (this.#epoch) frame.epoch = this.#epoch;
    if (this.#raw(frame)) this.#gated = true;
  }

  #onDurable(frame) {
    if (this.#gated) return; // before the answer to our resume: it will send these again
    const seq = frame.seq;
    if (this.#seq !== null && seq <= this.#seq) return; // a duplicate
    if (this.#seq === null || seq === this.#seq + 1) {
      this.#process(frame);
      // The ones that arrived early may now be next.
      while (this.#early.has(this.#seq + 1) && !this.#gated) {
        const next = this.#early.get(this.#seq + 1);
        this.#early.delete(this.#seq + 1);
        this.#process(next);
      }
      if (this.#early.size === 0) {
        clearTimeout(this.#gapTimer);
        this.#gapTimer = null;
      }
      return;
    }
    // A gap: hold it briefly in case the missing ones are just late, then ask for a replay.
    this.#early.set(seq, frame);
    if (this.#early.size > GAP_BUFFER_MAX) {
      this.#resume();
    } else if (!this.#gapTimer) {
      this.#gapTimer = setTimeout(() => {
        this.#gapTimer = null;
        if (this.#early.size > 0) this.#resume();
      }, GAP_WAIT_MS);
    }
  }

  #onError(frame) {
    // not_member answers a resume of a group this client has a position for but is not in on this
    // connection (not yet, or no longer): expected, so not reported. The group it names (all that were
    // pending, from a server that does not name it) is resumed again when it shows up (see
    // #onGroupMessage, #onGroupReplay).
    if (frame.code === 'not_member' && typeof frame.group === 'string') {
      this.#forgetPendingGroup(frame.group);
      return;
    }
    if (frame.code === 'not_member' || frame.code === 'too_many_groups') this.#forgetPendingGroups();
    if (frame.code === 'not_member') return;
    this.#emit('error', { source: 'server', code: frame.code, message: frame.message });
  }

  /**
   * A resume of groups was refused, for some of them (an error that does not say which) or all: none is
   * pending any more. A group whose replay still comes is then taken as an unasked (re)start.
   */
  #forgetPendingGroup(group) {
    if (this.#groupStates.get(group) === 'pending') this.#groupStates.delete(group);
    this.#groupAsked.delete(group);
  }

  #forgetPendingGroups() {
    for (const [group, state] of this.#groupStates) {
      if (state === 'pending') this.#groupStates.delete(group);
    }
    this.#groupAsked.clear();
  }

  /**
   * Asks the server to restart these groups' streams after this client's positions (`from` for a group
   * without one); until each one's replay answers, that group's frames are ignored (the replay sends them
   * again). At most maxGroupPositions groups, the first ones given.
   */
  #resumeGroups(groups, from = 0) {
    const positions = {};
    for (const group of groups.slice(0, this.#options.maxGroupPositions)) {
      const position = this.#groups.get(group);
      const since = position?.seq ?? from;
      positions[group] = position?.epoch ? { since, epoch: position.epoch } : since;
    }
    if (Object.keys(positions).length === 0 || !this.#raw({ type: 'resume', groups: positions })) return false;
    for (const [group, position] of Object.entries(positions)) {
      this.#groupStates.set(group, 'pending');
      this.#groupAsked.set(group, typeof position === 'number' ? position : position.since);
    }
    return true;
  }

  #onGroupMessage(frame) {
    const { group, seq } = frame;
    if (typeof group !== 'string' || !GROUP_NAME.test(group) || !Number.isSafeInteger(seq) || seq < 1) {
      this.#emit('error', { source: 'client', code: 'bad_frame', message: 'the server sent a group message without a valid group and seq' });
      return;
    }
    const state = this.#groupStates.get(group);
    if (state === 'pending') return; // the answer to our resume sends it again
    const position = this.#groups.get(group);
    if (position !== undefined && state !== 'following') {
      // The server streams this group from its own idea of where this client is (it joined the group
      // after connecting): tell it ours, and take the group's messages from its answer on.
      this.#resumeGroups([group]);
      return;
    }
    if (position !== undefined && seq <= position.seq) return; // a duplicate
    // Following: the server sends the group in seq order, without gaps but for messages that exclude
    // this client. Without a position, the group starts here.
    this.#groupStates.set(group, 'following');
    this.#saveGroupPosition(group, seq, position?.epoch ?? null);
    this.#deliver(frame);
  }

  #onGroupReplay(frame) {
    const { group, since } = frame;
    if (typeof group !== 'string' || !GROUP_NAME.test(group) || !Number.isSafeInteger(since) || since < 0) {
      this.#emit('error', { source: 'client', code: 'bad_frame', message: 'the server sent a group replay without a valid group and since' });
      return;
    }
    const state = this.#groupStates.get(group);
    const position = this.#groups.get(group);
    const epoch = typeof frame.epoch === 'string' ? frame.epoch : null;
    if (typeof frame.seq !== 'number') {
      // Mid-stream: messages were purged while this client was catching up; the next one follows `since`.
      if (state === 'following' && frame.recovered === false && since > (position?.seq ?? -1)) {
        this.#restartGroup(group, frame, position);
      }
      return;
    }
    if (state === 'pending') {
      // Not the answer to our resume (that one starts at our position, or says it could not): a start
      // made by a join. Our answer follows.
      if (frame.recovered !== false && since !== this.#groupAsked.get(group)) return;
      this.#groupAsked.delete(group);
    } else if (position !== undefined && !(since === position.seq && sameEpoch(position.epoch, epoch))) {
      // A start at another place than this client's position (a join after the welcome): say where it is.
      this.#resumeGroups([group]);
      return;
    }
    this.#groupStates.set(group, 'following');
    if (frame.recovered === false) {
      this.#restartGroup(group, frame, position);
      return;
    }
    this.#saveGroupPosition(group, position?.seq ?? since, epoch ?? position?.epoch ?? null);
    this.#emit('replay', { ...replayDetail(frame, position?.seq ?? null, true), group });
  }

  /** A group's history is lost up to `since`: say so and continue after it. */
  #restartGroup(group, frame, position) {
    const epoch = typeof frame.epoch === 'string' ? frame.epoch : position?.epoch ?? null;
    this.#saveGroupPosition(group, frame.since, epoch);
    this.#emit('replay', { ...replayDetail(frame, position?.seq ?? null, false), reason: frame.reason ?? 'gap', group });
  }

  /** Hands a durable message to the application, then records it as processed and schedules an ack. */
  #process(frame) {
    this.#seq = frame.seq;
    this.#deliver(frame);
    this.#savePosition();
    if (this.#closed) return; // a listener closed the client
    this.#unacked++;
    if (this.#unacked >= this.#options.ackBatch) {
      this.#sendAck();
    } else if (!this.#ackTimer) {
      this.#ackTimer = setTimeout(() => this.#sendAck(), this.#options.ackDelay);
    }
  }

  #deliver(frame) {
    const message = {
      data: frame.data,
      id: frame.id ?? null,
      seq: typeof frame.seq === 'number' ? frame.seq : null,
      from: frame.from ?? null, // relayed from another client: the sender's uid, written by the server
      to: frame.to ?? null,
    };
    // Only on a durable group message: the group whose stream `seq` numbers.
    if (typeof frame.group === 'string') message.group = frame.group;
    this.#emit('message', message);
  }

  /** One cumulative ack for everything processed; only inside a started stream (the server checks it). */
  #sendAck() {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
    if (!this.#inStream || this.#gated || this.#seq === null || this.#seq <= this.#ackedSeq) return;
    if (this.#raw({ type: 'ack', seq: this.#seq })) {
      this.#ackedSeq = this.#seq;
      this.#unacked = 0;
      this.#emit('ack', { seq: this.#seq });
    }
  }

  // ---- positions ----

  #key() {
    return 'herald:' + this.#url.origin + this.#url.pathname + ':' + this.#uid;
  }

  #loadPosition() {
    this.#seq = null;
    this.#epoch = null;
    try {
      const stored = JSON.parse(this.#storage.getItem(this.#key()) ?? 'null');
      if (stored && Number.isSafeInteger(stored.seq) && stored.seq >= 0) {
        this.#seq = stored.seq;
        this.#epoch = typeof stored.epoch === 'string' ? stored.epoch : null;
      }
    } catch (error) {
      this.#storageError(error);
    }
  }

  #savePosition() {
    if (this.#uid === null || this.#seq === null) return;
    try {
      this.#storage.setItem(this.#key(), JSON.stringify({ seq: this.#seq, epoch: this.#epoch }));
    } catch (error) {
      this.#storageError(error);
    }
  }

  // Not under the uid stream's prefix: a uid may contain ':', and so end like a suffix would.
  #groupsKey() {
    return 'herald-groups:' + this.#url.origin + this.#url.pathname + ':' + (this.#uid ?? '');
  }

  /** The group positions of the current uid (or of an unbound client, when there is none). */
  #loadGroups() {
    const max = this.#options.maxGroupPositions;
    this.#groups = new GroupPositions(max);
    this.#groupStates.clear();
    this.#groupAsked.clear();
    try {
      this.#groups = GroupPositions.parse(this.#storage.getItem(this.#groupsKey()), max);
    } catch (error) {
      this.#storageError(error);
    }
  }

  #saveGroupPosition(group, seq, epoch) {
    const forgotten = this.#groups.set(group, seq, epoch);
    if (forgotten !== null) {
      this.#groupStates.delete(forgotten);
      this.#groupAsked.delete(forgotten);
    }
    try {
      this.#storage.setItem(this.#groupsKey(), JSON.stringify(this.#groups));
    } catch (error) {
      this.#storageError(error);
    }
  }

  #storageError(error) {
    if (this.#storageFailed) return; // once is enough: the position is still kept in memory
    this.#storageFailed = true;
    this.#emit('error', { source: 'storage', code: 'storage', message: 'stream positions cannot be stored: ' + error, error });
  }

  #emit(type, detail) {
    const listeners = this.#listeners.get(type);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(detail);
      } catch (error) {
        // A failing handler must not stop the stream; the message counts as processed.
        if (type === 'error') continue;
        this.#emit('error', { source: 'handler', code: 'handler', message: `a ${type} listener threw: ${error}`, error });
      }
    }
  }
}

/** What an overflow event tells about a message that was not sent. */
function unsent(message) {
  return message.type === 'send' ? { data: message.data, to: message.to } : { data: message.data };
}

function replayDetail(frame, previous, recovered) {
  return {
    recovered,
    reason: frame.reason ?? null,
    since: frame.since,
    seq: typeof frame.seq === 'number' ? frame.seq : null,
    oldest: frame.oldest ?? null,
    epoch: frame.epoch ?? null,
    previous,
  };
}

function chooseStorage(option) {
  if (option !== undefined && option !== null) return option;
  if (option === undefined) {
    try {
      if (globalThis.localStorage) return globalThis.localStorage;
    } catch {
      // a sandboxed frame may refuse access to localStorage
    }
  }
  const memory = new Map();
  return { getItem: (key) => memory.get(key) ?? null, setItem: (key, value) => memory.set(key, String(value)) };
}
