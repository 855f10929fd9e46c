import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askWhy, client, fakeServer, retryAfterSeconds, sleep, until } from './support.js';

/** A fake Herald that refuses every handshake (and plain GET) with the given answer. */
const refusing = (refusal) => fakeServer(undefined, { refuse: () => refusal });

test('403 (origin not allowed): a refused event, closed for good, one attempt only', async () => {
  const server = await refusing({ status: 403, code: 'origin_not_allowed', message: 'pages from this origin may not connect' });
  const { herald, seen } = client(server, { uid: 'ann' });
  try {
    await until(() => herald.state === 'closed', 3000, 'the final state');
    assert.deepEqual(seen.refusals, [{
      status: 403, code: 'origin_not_allowed', message: 'pages from this origin may not connect', retryAfter: null, final: true,
    }]);
    assert.deepEqual(seen.states.at(-1).refused, { status: 403, code: 'origin_not_allowed', message: 'pages from this origin may not connect', retryAfter: null });
    await sleep(300); // minDelay is 20 ms: a retry would have come by now
    assert.equal(server.counts.handshakes, 1, 'no retry');
    assert.equal(server.counts.plainRequests, 1, 'the reason was asked once');
    assert.throws(() => herald.reconnect(), /closed/);
  } finally {
    herald.close();
    await server.close();
  }
});

test('400 (bad parameters) is final too', async () => {
  const server = await refusing({ status: 400, code: 'bad_uid', message: 'a uid is 1 to 128 characters' });
  const { herald, seen } = client(server, { uid: 'ann' });
  try {
    await until(() => herald.state === 'closed', 3000, 'the final state');
    await sleep(300);
    assert.deepEqual(seen.refusals.map((r) => [r.status, r.code, r.final]), [[400, 'bad_uid', true]]);
    assert.equal(server.counts.handshakes, 1);
  } finally {
    herald.close();
    await server.close();
  }
});

test('401 with a fixed token: final at once', async () => {
  const server = await refusing({ status: 401, code: 'token_invalid', message: 'bad signature' });
  const { herald, seen } = client(server, { token: 'forged' });
  try {
    await until(() => herald.state === 'closed', 3000, 'the final state');
    await sleep(300);
    assert.deepEqual(seen.refusals.map((r) => [r.status, r.code, r.final]), [[401, 'token_invalid', true]]);
    assert.equal(server.counts.handshakes, 1);
  } finally {
    herald.close();
    await server.close();
  }
});

test('401 with a token function: one more attempt with a fresh token, then final', async () => {
  const server = await refusing({ status: 401, code: 'token_expired', message: 'the token has expired' });
  let calls = 0;
  const { herald, seen } = client(server, { token: () => { calls++; return 'token-' + calls; } });
  try {
    await until(() => herald.state === 'closed', 3000, 'the final state');
    await sleep(300);
    assert.deepEqual(seen.refusals.map((r) => [r.status, r.code, r.final]), [[401, 'token_expired', false], [401, 'token_expired', true]]);
    assert.equal(calls, 2, 'the function gave a fresh token for the second attempt');
    assert.equal(server.counts.handshakes, 2);
  } finally {
    herald.close();
    await server.close();
  }
});

test('401, then a fresh token is accepted: connected; a later 401 gets its fresh try again', async () => {
  let refuseToken = 'token-1';
  const server = await fakeServer(undefined, {
    refuse: (query) => (query.get('token') === refuseToken ? { status: 401, code: 'token_expired', message: 'expired' } : null),
  });
  let calls = 0;
  const { herald, seen } = client(server, { token: () => 'token-' + ++calls });
  try {
    await until(() => herald.state === 'connected', 3000, 'the connection with the fresh token');
    assert.deepEqual(seen.refusals.map((r) => r.final), [false]);
    refuseToken = 'token-3';
    (await server.connection(1)).cut();
    await until(() => herald.clientId === 'node-2', 3000, 'the reconnect with token-4 after token-3 was refused');
    assert.deepEqual(seen.refusals.map((r) => r.final), [false, false]);
    assert.equal(calls, 4);
  } finally {
    herald.close();
    await server.close();
  }
});

test('429 with Retry-After: the next attempt waits at least that long; not final', async () => {
  // The handshake and the plain GET that follows it are refused; the next handshake is accepted.
  let refusals = 2;
  const times = [];
  const server = await fakeServer(undefined, {
    refuse: () => {
      times.push(Date.now());
      return refusals-- > 0 ? { status: 429, code: 'too_many_connections', message: 'slow down', headers: { 'Retry-After': '1' } } : null;
    },
  });
  const { herald, seen } = client(server, { uid: 'ann' });
  try {
    await until(() => herald.state === 'connected', 5000, 'the connection after the wait');
    assert.deepEqual(seen.refusals, [{ status: 429, code: 'too_many_connections', message: 'slow down', retryAfter: 1, final: false }]);
    const waiting = seen.states.find((s) => s.state === 'disconnected');
    assert.ok(waiting.delay >= 1000, `scheduled after ${waiting.delay} ms`);
    // times: the handshake, the plain GET, then the next handshake
    assert.equal(times.length, 3);
    assert.ok(times[2] - times[1] >= 990, `the next attempt came ${times[2] - times[1]} ms after the answer`);
  } finally {
    herald.close();
    await server.close();
  }
});

test('503 draining with Retry-After: waits, then connects', async () => {
  let refusals = 2; // the handshake and the plain GET
  const server = await fakeServer(undefined, {
    refuse: () => (refusals-- > 0 ? { status: 503, code: 'draining', message: 'draining', headers: { 'Retry-After': '1' } } : null),
  });
  const { herald, seen } = client(server, { uid: 'ann' });
  try {
    await until(() => herald.state === 'connected', 5000, 'the connection after the wait');
    assert.deepEqual(seen.refusals.map((r) => [r.status, r.code, r.retryAfter, r.final]), [[503, 'draining', 1, false]]);
    assert.ok(seen.states.find((s) => s.state === 'disconnected').delay >= 1000);
  } finally {
    herald.close();
    await server.close();
  }
});

test('no refusal (the upgrade is lost on the way, the server would accept): no refused event, retries with backoff', async () => {
  const server = await fakeServer();
  // Drop every upgrade as a proxy that does not pass WebSockets would; plain GETs still reach Herald (426).
  const { createServer } = await import('node:net');
  const proxy = createServer((socket) => socket.destroy());
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { Herald } = await import('./support.js');
  const { WebSocket } = await import('ws');
  const refusals = [];
  let attempts = 0;
  // The socket goes to the dropping proxy; the refusal check asks the real server (426: nothing refused).
  class Dropped extends WebSocket {
    constructor(url) { attempts++; super(url.replace(`:${server.port}/`, `:${proxy.address().port}/`)); }
  }
  const herald = new Herald(server.url, { WebSocket: Dropped, storage: null, uid: 'ann', minDelay: 20, maxDelay: 50 });
  herald.on('refused', (r) => refusals.push(r));
  try {
    await until(() => attempts >= 4, 5000, 'repeated attempts');
    assert.deepEqual(refusals, []);
    assert.ok(server.counts.plainRequests >= 3, 'each failed open asked why');
    assert.equal(server.counts.handshakes, 0);
    assert.notEqual(herald.state, 'closed');
  } finally {
    herald.close();
    proxy.close();
    await server.close();
  }
});

test('askWhy: only Herald refusals count; Retry-After in seconds or as a date', async () => {
  const reply = (status, body, headers = {}) => async () => new Response(body, { status, headers });
  assert.deepEqual(await askWhy('wss://h.example/ws?token=t', 1000,
    reply(429, '{"status":429,"code":"too_many_connections","message":"m"}', { 'Retry-After': '7' })),
  { status: 429, code: 'too_many_connections', message: 'm', retryAfter: 7 });
  assert.equal(await askWhy('ws://h.example/ws', 1000, reply(426, '{"status":426,"code":"upgrade_required","message":"m"}')), null);
  assert.equal(await askWhy('ws://h.example/ws', 1000, reply(502, '<html>Bad Gateway</html>')), null, 'a proxy page');
  assert.equal(await askWhy('ws://h.example/ws', 1000, reply(403, '{"error":"forbidden"}')), null, 'not Herald\'s shape');
  assert.equal(await askWhy('ws://h.example/ws', 1000, async () => { throw new TypeError('Failed to fetch'); }), null, 'unreadable or unreachable');
  let asked;
  await askWhy('wss://h.example/herald/ws?uid=a&since=3', 1000, async (url) => { asked = url; return new Response('{}', { status: 400 }); });
  assert.equal(asked, 'https://h.example/herald/ws?uid=a&since=3', 'the same URL over http(s)');

  assert.equal(retryAfterSeconds('120'), 120);
  assert.equal(retryAfterSeconds(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)), 30);
  assert.equal(retryAfterSeconds(null), null);
  assert.equal(retryAfterSeconds('soon'), null);
});
