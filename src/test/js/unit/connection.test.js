import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { Herald, client, fakeServer, isFinalCloseCode, sleep, until } from './support.js';

test('states: connecting, connected (on the welcome), disconnected, connected again, closed', async () => {
  const server = await fakeServer();
  const { herald, seen } = client(server);
  try {
    await until(() => herald.state === 'connected');
    assert.equal(herald.clientId, 'node-1');
    (await server.connection(1)).cut();
    await until(() => herald.clientId === 'node-2', 3000, 'the reconnect');
    herald.close();
    assert.deepEqual(seen.states.map((s) => s.state),
      ['connecting', 'connected', 'disconnected', 'connecting', 'connected', 'closed']);
    assert.equal(seen.states[2].code, 1006, 'a cut connection closes abnormally');
  } finally {
    herald.close();
    await server.close();
  }
});

test('sends wait in a capped queue while disconnected; overflow is reported; the queue drains in order', async () => {
  let welcome;
  const server = await fakeServer((conn) => { welcome = () => conn.welcome(); }); // no welcome yet
  const { herald, seen } = client(server, { queueLimit: 3 });
  try {
    await server.connection(1);
    assert.equal(herald.state, 'connecting');
    assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((data) => herald.send(data)),
      ['queued', 'queued', 'queued', 'dropped', 'dropped']);
    assert.equal(herald.queued, 3);
    assert.deepEqual(seen.overflows, [{ data: 'd', reason: 'queue_full' }, { data: 'e', reason: 'queue_full' }]);

    welcome();
    const conn = server.connections[0];
    await until(() => conn.received.length === 3, 3000, 'the queued messages');
    assert.deepEqual(conn.received, ['a', 'b', 'c'].map((data) => ({ type: 'message', data })));
    assert.equal(herald.send({ x: 1 }), 'sent');
    await until(() => conn.received.length === 4);
    assert.equal(herald.queued, 0);
  } finally {
    herald.close();
    await server.close();
  }
});

test('close() reports the messages that were still queued', async () => {
  const server = await fakeServer(() => { }); // never welcomes
  const { herald, seen } = client(server);
  try {
    herald.send(1);
    herald.send(2);
    assert.deepEqual(herald.close(), [1, 2]);
    assert.deepEqual(seen.overflows.map((o) => o.reason), ['closed', 'closed']);
    assert.equal(herald.state, 'closed');
    assert.throws(() => herald.send(3), /closed/);
  } finally {
    await server.close();
  }
});

test('a send larger than the frame limit throws instead of getting the connection closed with 1009', async () => {
  const server = await fakeServer();
  const { herald } = client(server, { maxFrameBytes: 100 });
  try {
    assert.throws(() => herald.send('x'.repeat(200)), RangeError);
    assert.throws(() => herald.send(), TypeError);
  } finally {
    herald.close();
    await server.close();
  }
});

test('close codes: 1003, 1009 and 4100-4199 are final, the others reconnect', async (t) => {
  assert.ok([1003, 1009, 4100, 4150, 4199].every(isFinalCloseCode));
  assert.ok(![1000, 1001, 1006, 1011, 4000, 4001, 4099, 4200].some(isFinalCloseCode));

  for (const code of [1003, 1009, 4100, 4199]) {
    await t.test(`close ${code}: no reconnect`, async () => {
      const server = await fakeServer((conn) => { conn.welcome(); conn.close(code, 'test'); });
      const { herald, seen } = client(server, { minDelay: 5, maxDelay: 10 });
      try {
        await until(() => herald.state === 'closed', 3000, 'the closed state');
        assert.equal(seen.states.at(-1).code, code);
        await sleep(150); // many backoff periods
        assert.equal(server.connections.length, 1, 'no second connection');
      } finally {
        herald.close();
        await server.close();
      }
    });
  }
  for (const code of [1001, 1011, 4000, 4001]) {
    await t.test(`close ${code}: reconnects`, async () => {
      const server = await fakeServer((conn) => { conn.welcome(); if (conn.number === 1) conn.close(code, 'test'); });
      const { herald } = client(server, { minDelay: 5, maxDelay: 10, drainReconnectMaxDelay: 10 });
      try {
        await server.connection(2);
        await until(() => herald.state === 'connected' && herald.clientId === 'node-2');
      } finally {
        herald.close();
        await server.close();
      }
    });
  }
});

test('watchdog: a server silent past the welcome heartbeat timeout is left, after a ping went unanswered', async () => {
  const server = await fakeServer((conn) => conn.welcome({ heartbeat: { interval: 100, timeout: 300 } }));
  const { herald, seen } = client(server, { minDelay: 5, maxDelay: 10 });
  try {
    await until(() => herald.state === 'connected');
    const started = Date.now();
    await server.connection(2, 3000);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 1500, `reconnected after ${took} ms of silence (timeout 300 ms)`);
    assert.ok(server.connections[0].received.some((f) => f.type === 'ping'), 'the client pinged the quiet server');
    assert.equal(seen.states.find((s) => s.state === 'disconnected').code, null);
  } finally {
    herald.close();
    await server.close();
  }
});

test('watchdog: a server that answers pings is kept; the heartbeatTimeout option overrides the welcome', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome(); // 25 s / 60 s: the option below must win
    conn.onFrame = (frame) => { if (frame.type === 'ping') conn.send({ type: 'pong' }); };
  });
  const { herald } = client(server, { heartbeatTimeout: 200 });
  try {
    await until(() => herald.state === 'connected');
    await sleep(1000);
    assert.equal(server.connections.length, 1, 'no reconnect while the server answers');
    assert.ok(server.connections[0].received.filter((f) => f.type === 'ping').length >= 3);
  } finally {
    herald.close();
    await server.close();
  }
});

test('watchdog: an attempt without a welcome is abandoned after connectTimeout', async () => {
  const server = await fakeServer(() => { });
  const { herald } = client(server, { connectTimeout: 150, minDelay: 5, maxDelay: 10 });
  try {
    await server.connection(2, 2000);
  } finally {
    herald.close();
    await server.close();
  }
});

test('the client answers the server\'s pings', async () => {
  const server = await fakeServer((conn) => { conn.welcome(); conn.send({ type: 'ping' }); });
  const { herald } = client(server);
  try {
    const conn = await server.connection(1);
    await conn.next('pong');
  } finally {
    herald.close();
    await server.close();
  }
});

test('error frames, bad frames and throwing listeners become error events; the client goes on', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send({ type: 'error', code: 'bad_json', message: 'nope' });
    conn.socket.send('not json');
    conn.send({ type: 'message', id: 'x', data: 1 });
    conn.send({ type: 'message', id: 'y', data: 2 });
  });
  const { herald, seen } = client(server);
  herald.on('message', (m) => { if (m.data === 1) throw new Error('application bug'); });
  try {
    await until(() => seen.messages.length === 2);
    assert.deepEqual(seen.errors.map((e) => [e.source, e.code]),
      [['server', 'bad_json'], ['client', 'bad_frame'], ['handler', 'handler']]);
    assert.deepEqual(seen.messages.map((m) => [m.data, m.seq]), [[1, null], [2, null]]);
  } finally {
    herald.close();
    await server.close();
  }
});

test('options: unknown keys are refused; a token (or a token function) is sent at every attempt', async () => {
  assert.throws(() => new Herald('ws://127.0.0.1:9/ws', { WebSocket, reconnectDelay: 5 }), /reconnectDelay/);
  let calls = 0;
  const server = await fakeServer((conn) => { conn.welcome({ uid: 'alice' }); if (conn.number === 1) conn.cut(); });
  const { herald } = client(server, { token: async () => 'tok-' + (++calls) });
  try {
    await server.connection(2);
    assert.equal(server.connections[0].query.get('token'), 'tok-1');
    assert.equal(server.connections[1].query.get('token'), 'tok-2');
    assert.equal(server.connections[0].query.get('uid'), null, 'no dev uid with a token');
  } finally {
    herald.close();
    await server.close();
  }
});

test('URLs: http(s) becomes ws(s); other schemes are refused', async () => {
  const { toWebSocketUrl } = await import('./support.js');
  assert.equal(toWebSocketUrl('http://h:8080/herald/ws').href, 'ws://h:8080/herald/ws');
  assert.equal(toWebSocketUrl('https://h/ws').href, 'wss://h/ws');
  assert.equal(toWebSocketUrl('wss://h/ws?x=1').href, 'wss://h/ws?x=1');
  assert.throws(() => toWebSocketUrl('ftp://h/ws'), TypeError);
});

test('sendTo: relayed sends go out as send frames, share the queue, and name their target in overflows', async () => {
  let welcome;
  const server = await fakeServer((conn) => { welcome = () => conn.welcome({ uid: 'alice' }); });
  const { herald, seen } = client(server, { uid: 'alice', queueLimit: 1 });
  try {
    await server.connection(1);
    assert.equal(herald.sendTo({ group: 'room' }, 'hi'), 'queued');
    assert.equal(herald.sendTo({ uid: 'bob' }, 'lost'), 'dropped');
    assert.deepEqual(seen.overflows, [{ data: 'lost', to: { uid: 'bob' }, reason: 'queue_full' }]);
    assert.throws(() => herald.sendTo({ room: 'x' }, 1), TypeError);
    assert.throws(() => herald.sendTo({ uid: 'a', group: 'b' }, 1), TypeError);
    welcome();
    const conn = server.connections[0];
    await until(() => conn.received.length === 1);
    assert.deepEqual(conn.received[0], { type: 'send', to: { group: 'room' }, data: 'hi' });
    // A relayed message names its sender.
    conn.send({ type: 'message', id: 'r1', from: 'bob', to: { group: 'room' }, data: 'hello' });
    await until(() => seen.messages.length === 1);
    assert.deepEqual(seen.messages[0], { data: 'hello', id: 'r1', seq: null, from: 'bob', to: { group: 'room' } });
  } finally {
    herald.close();
    await server.close();
  }
});

test('a client closed for flooding (4002) comes back, but after a longer backoff window', async () => {
  const server = await fakeServer((conn) => { conn.welcome(); if (conn.number === 1) conn.close(4002, 'too many messages'); });
  const { herald, seen } = client(server, { minDelay: 10, maxDelay: 1000 });
  try {
    await server.connection(2, 5000);
    const wait = seen.states.find((s) => s.state === 'disconnected');
    assert.equal(wait.code, 4002);
    assert.equal(wait.attempt, 5, 'the backoff continues as if four attempts had failed already');
  } finally {
    herald.close();
    await server.close();
  }
});

test('uid and token together are refused (the server would refuse the handshake)', () => {
  assert.throws(() => new Herald('ws://127.0.0.1:9/ws', { WebSocket, uid: 'a', token: 't' }), /either uid/);
});
