// Test support: the client module, an in-process fake Herald server (the `ws` package), and bounded waits.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
export const heraldSource = join(here, '..', '..', '..', '..', 'webapp', 'herald.js');

// webapp/ has no package.json saying "type": "module" (it would be served as a web resource), so Node
// would read herald.js as CommonJS: import a copy named .mjs instead. The copy is byte for byte the file.
const copy = join(mkdtempSync(join(tmpdir(), 'herald-js-')), 'herald.mjs');
copyFileSync(heraldSource, copy);
const module = await import(pathToFileURL(copy).href);
export const {
  Herald, backoffDelay, isFinalCloseCode, toWebSocketUrl, DEFAULTS, askWhy, retryAfterSeconds, chooseTransport, toStreamUrl,
} = module;

/** Resolves when check() returns a truthy value; rejects after timeoutMs (every wait is bounded). */
export async function until(check, timeoutMs = 3000, what = 'a condition') {
  const deadline = Date.now() + timeoutMs;
  for (; ;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Storage with the localStorage interface, shared by the Herald instances of one test ("page reloads"). */
export function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); },
  };
}

/**
 * A fake Herald server on 127.0.0.1. Each connection is handed to `onConnection(conn)`, where conn has
 * the handshake's query, the frames received so far, send(frame), welcome(), close(code), cut(), next(type),
 * and an optional onFrame(frame) hook the test sets to answer the client.
 * By default a connection gets a welcome (heartbeat 25 s / 60 s) and nothing else.
 *
 * Like Herald's handshake filter, it can refuse before the upgrade: `refuse(query)` returns null (accept)
 * or {status, code, message, headers?}, answered as JSON to the handshake and, the same, to a plain GET of
 * the URL; a plain GET that would be accepted gets 426 upgrade_required. `handshakes` and `plainRequests`
 * count what arrived.
 */
export async function fakeServer(onConnection = (conn) => conn.welcome(), { refuse = () => null } = {}) {
  const wss = new WebSocketServer({ noServer: true });
  const counts = { handshakes: 0, plainRequests: 0 };
  const answer = (query) => {
    const refusal = refuse(query);
    const status = refusal?.status ?? 426;
    const body = JSON.stringify({ status, code: refusal?.code ?? 'upgrade_required', message: refusal?.message ?? 'use a WebSocket' });
    return { refusal, status, body, headers: { 'Content-Type': 'application/json', ...(refusal?.headers ?? {}) } };
  };
  const http = createServer((request, response) => {
    counts.plainRequests++;
    const { status, body, headers } = answer(new URL(request.url, 'http://127.0.0.1').searchParams);
    response.writeHead(status, headers).end(body);
  });
  http.on('upgrade', (request, socket, head) => {
    counts.handshakes++;
    const { refusal, status, body, headers } = answer(new URL(request.url, 'http://127.0.0.1').searchParams);
    if (!refusal) {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      return;
    }
    const lines = Object.entries({ ...headers, 'Content-Length': Buffer.byteLength(body), Connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} Refused\r\n${lines}\r\n${body}`);
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const connections = [];
  wss.on('connection', (socket, request) => {
    const query = new URL(request.url, 'http://127.0.0.1').searchParams;
    const conn = {
      socket,
      query,
      number: connections.length + 1,
      received: [],
      send(frame) { if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame)); },
      welcome(extra = {}) {
        conn.send({
          type: 'welcome', clientId: 'node-' + conn.number, uid: query.get('uid'),
          heartbeat: { interval: 25000, timeout: 60000 }, ...extra,
        });
      },
      close(code, reason = '') { socket.close(code, reason); },
      /** Cuts the TCP connection without a close handshake (the client sees 1006). */
      cut() { socket.terminate(); },
      /** The next received frame of that type (waits for it). */
      async next(type, timeoutMs = 3000) {
        const seen = conn.seen[type] ?? 0;
        const frame = await until(() => conn.received.filter((f) => f.type === type)[seen], timeoutMs, `a ${type} frame`);
        conn.seen[type] = seen + 1;
        return frame;
      },
      seen: {},
    };
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      conn.received.push(frame);
      conn.onFrame?.(frame);
    });
    connections.push(conn);
    onConnection(conn);
  });
  const port = http.address().port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    connections,
    counts,
    /** Waits for the n-th connection (1-based). */
    connection: (n, timeoutMs = 3000) => until(() => connections[n - 1], timeoutMs, `connection #${n}`),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      http.closeAllConnections?.();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

/** A durable message frame. */
export const durable = (seq, data = 'm' + seq) => ({ type: 'message', id: 'id-' + seq, seq, data });

/** A Herald client for the fake server, with short delays, that records what the application sees. */
export function client(server, options = {}) {
  const herald = new Herald(server.url, {
    WebSocket, storage: memoryStorage(), minDelay: 20, maxDelay: 200, ...options,
  });
  const seen = { messages: [], states: [], replays: [], errors: [], acks: [], overflows: [], refusals: [] };
  herald.on('message', (m) => seen.messages.push(m));
  herald.on('state', (s) => seen.states.push(s));
  herald.on('replay', (r) => seen.replays.push(r));
  herald.on('error', (e) => seen.errors.push(e));
  herald.on('ack', (a) => seen.acks.push(a.seq));
  herald.on('overflow', (o) => seen.overflows.push(o));
  herald.on('refused', (r) => seen.refusals.push(r));
  return { herald, seen, seqs: () => seen.messages.map((m) => m.seq) };
}
