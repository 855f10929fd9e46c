import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import { chooseTransport, durable, fakeServer, Herald, memoryStorage, toStreamUrl, until } from './support.js';

test('chooseTransport: a WebSocket until it has failed fallbackAfter times, then the event stream', () => {
  const both = ['websocket', 'sse'];
  assert.equal(chooseTransport(both, 0, 2, true, true), 'websocket');
  assert.equal(chooseTransport(both, 1, 2, true, true), 'websocket');
  assert.equal(chooseTransport(both, 2, 2, true, true), 'sse');
  assert.equal(chooseTransport(both, 0, 0, true, true), 'sse', 'fallbackAfter 0: straight to the event stream');
  assert.equal(chooseTransport(both, 0, 2, false, true), 'sse', 'no WebSocket class: at once');
  assert.equal(chooseTransport(both, 5, 2, true, false), 'websocket', 'no EventSource: WebSocket however often it failed');
  assert.equal(chooseTransport(['websocket'], 5, 2, true, true), 'websocket', 'the event stream not wanted');
  assert.equal(chooseTransport(['sse', 'websocket'], 0, 2, true, true), 'sse', 'the order is the preference');
  assert.equal(chooseTransport(['sse'], 0, 2, true, false), null);
  assert.equal(chooseTransport(both, 0, 2, false, false), null);
});

test('toStreamUrl: http(s), the last path segment sse, the same query', () => {
  assert.equal(toStreamUrl('ws://h:8080/ws?uid=a&since=3').href, 'http://h:8080/sse?uid=a&since=3');
  assert.equal(toStreamUrl('wss://h/herald/ws?token=t').href, 'https://h/herald/sse?token=t');
});

/** An EventSource the test drives: emit(frame) delivers an event, fail() reports an error. */
class FakeEventSource {
  static made = [];
  constructor(url) {
    this.url = new URL(url);
    this.closed = false;
    this.onmessage = null;
    this.onerror = null;
    FakeEventSource.made.push(this);
  }
  emit(frame) { if (!this.closed) this.onmessage?.({ data: JSON.stringify(frame) }); }
  fail() { if (!this.closed) this.onerror?.({}); }
  close() { this.closed = true; }
}

/** Posts recorded (answered 204); every other request goes out (askWhy asks the fake server). */
function recordPosts() {
  const original = globalThis.fetch;
  const posts = [];
  globalThis.fetch = async function fetch(url, init = {}) {
    // As a browser's fetch: called as any other object's method, it throws ("Illegal invocation").
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    if (init.method === 'POST') {
      posts.push({ url: String(url), frame: JSON.parse(init.body) });
      return new Response(null, { status: 204 });
    }
    return original(url, init);
  };
  return { posts, restore: () => { globalThis.fetch = original; } };
}

/** A port that drops every connection, as a proxy that does not pass WebSockets; the class that goes there. */
async function droppingProxy(server) {
  const proxy = createServer((socket) => socket.destroy());
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const state = { attempts: 0, dropping: true };
  class Dropped extends WebSocket {
    constructor(url) {
      state.attempts++;
      super(state.dropping ? url.replace(`:${server.port}/`, `:${proxy.address().port}/`) : url);
    }
  }
  return { Dropped, state, close: () => proxy.close() };
}

const welcome = (source, extra = {}) => source.emit({
  type: 'welcome', clientId: 'node-s' + FakeEventSource.made.length, uid: source.url.searchParams.get('uid'),
  heartbeat: { interval: 25000, timeout: 60000 }, post: 'sse/node-s/secret', ...extra,
});

test('WebSocket upgrades dropped without a refusal: after fallbackAfter attempts the event stream, with the same events and acks', async () => {
  FakeEventSource.made = [];
  const server = await fakeServer();
  const proxy = await droppingProxy(server);
  const fetches = recordPosts();
  const herald = new Herald(server.url, {
    WebSocket: proxy.Dropped, EventSource: FakeEventSource, storage: memoryStorage(), uid: 'ann',
    minDelay: 20, maxDelay: 50, ackDelay: 10, fallbackAfter: 2,
  });
  const messages = [];
  const welcomes = [];
  herald.on('message', (m) => messages.push(m.seq));
  herald.on('welcome', (w) => welcomes.push(w.transport));
  try {
    const source = await until(() => FakeEventSource.made[0], 5000, 'an event stream');
    assert.equal(proxy.state.attempts, 2, 'two WebSocket attempts first');
    assert.equal(server.counts.plainRequests, 2, 'each failed open asked why (and nothing was refused)');
    assert.equal(source.url.pathname, '/sse');
    assert.equal(source.url.searchParams.get('uid'), 'ann');
    assert.equal(source.url.searchParams.get('batch'), null, 'events are never joined: not asked for');
    welcome(source);
    await until(() => herald.state === 'connected', 3000, 'connected');
    assert.equal(herald.transport, 'sse');
    assert.deepEqual(welcomes, ['sse']);

    source.emit({ type: 'replay', uid: 'ann', epoch: 'e1', since: 0, seq: 2, recovered: true });
    source.emit(durable(1));
    source.emit(durable(2));
    source.emit(durable(2)); // a duplicate is dropped
    await until(() => fetches.posts.some((p) => p.frame.type === 'ack'), 3000, 'an ack');
    assert.deepEqual(messages, [1, 2]);
    const ack = fetches.posts.find((p) => p.frame.type === 'ack');
    assert.equal(ack.url, `http://127.0.0.1:${server.port}/sse/node-s/secret`);
    assert.deepEqual(ack.frame, { type: 'ack', seq: 2 });
    assert.equal(herald.send('hi'), 'sent');
    await until(() => fetches.posts.some((p) => p.frame.type === 'message'), 3000, 'the message posted');

    // The server drains: a close event, then a reconnect (still the event stream) from the position.
    source.emit({ type: 'close', code: 1012, reason: 'server restarting, reconnect' });
    const again = await until(() => FakeEventSource.made[1], 8000, 'a second stream');
    assert.ok(source.closed);
    assert.equal(again.url.searchParams.get('since'), '2');
    assert.equal(again.url.searchParams.get('epoch'), 'e1');
  } finally {
    herald.close();
    fetches.restore();
    proxy.close();
    await server.close();
  }
});

test('no WebSocket class at all: the event stream at once', async () => {
  FakeEventSource.made = [];
  const server = await fakeServer();
  const herald = new Herald(server.url, { EventSource: FakeEventSource, storage: null, uid: 'bob' });
  try {
    const source = await until(() => FakeEventSource.made[0], 3000, 'an event stream');
    welcome(source);
    await until(() => herald.state === 'connected', 3000, 'connected');
    assert.equal(herald.transport, 'sse');
    assert.equal(server.counts.handshakes, 0);
  } finally {
    herald.close();
    await server.close();
  }
});

test('a refused WebSocket (403) does not fall back: the refusal is final', async () => {
  FakeEventSource.made = [];
  const server = await fakeServer(undefined, { refuse: () => ({ status: 403, code: 'origin_not_allowed', message: 'no' }) });
  const herald = new Herald(server.url, {
    WebSocket, EventSource: FakeEventSource, storage: null, uid: 'cy', minDelay: 20, maxDelay: 50, fallbackAfter: 1,
  });
  try {
    await until(() => herald.state === 'closed', 3000, 'closed');
    assert.equal(FakeEventSource.made.length, 0);
  } finally {
    herald.close();
    await server.close();
  }
});

test('a stream that fails before its welcome is a failed open; after one that opened, a reconnect', async () => {
  FakeEventSource.made = [];
  const server = await fakeServer();
  const herald = new Herald(server.url, { EventSource: FakeEventSource, storage: null, uid: 'di', minDelay: 20, maxDelay: 50 });
  try {
    const first = await until(() => FakeEventSource.made[0], 3000, 'an event stream');
    first.fail();
    const second = await until(() => FakeEventSource.made[1], 3000, 'another attempt');
    assert.ok(first.closed, 'EventSource does not reconnect by itself: Herald does');
    welcome(second);
    await until(() => herald.state === 'connected', 3000, 'connected');
    second.fail();
    await until(() => FakeEventSource.made[2], 3000, 'a reconnect');
  } finally {
    herald.close();
    await server.close();
  }
});

test('on the event stream, a WebSocket is tried again every websocketRetry ms, and taken once it opens', async () => {
  FakeEventSource.made = [];
  const server = await fakeServer();
  const proxy = await droppingProxy(server);
  const herald = new Herald(server.url, {
    WebSocket: proxy.Dropped, EventSource: FakeEventSource, storage: null, uid: 'eve',
    minDelay: 20, maxDelay: 50, fallbackAfter: 1, websocketRetry: 100,
  });
  try {
    const source = await until(() => FakeEventSource.made[0], 5000, 'an event stream');
    welcome(source);
    await until(() => herald.state === 'connected', 3000, 'connected');
    await until(() => proxy.state.attempts >= 2, 3000, 'a probe');
    assert.equal(herald.transport, 'sse', 'a probe that fails changes nothing');
    proxy.state.dropping = false;
    const conn = await server.connection(2, 5000); // the probe that opens, then the real connection
    assert.equal(conn.query.get('uid'), 'eve');
    await until(() => herald.transport === 'websocket' && herald.state === 'connected', 5000, 'back on a WebSocket');
    assert.ok(source.closed, 'the event stream is closed');
  } finally {
    herald.close();
    proxy.close();
    await server.close();
  }
});
