import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, Herald, client, durable, fakeServer, until } from './support.js';

const replay = (since, seq) => ({ type: 'replay', epoch: 'E1', since, seq, recovered: true });

/** Runs fn with Math.random fixed, so that the jittered delays are known. */
async function withRandom(value, fn) {
  const original = Math.random;
  Math.random = () => value;
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

test('close 1012 (the server drains): the reconnect waits a jittered delay below drainReconnectMaxDelay, then resumes after the last seq', async () => {
  await withRandom(0.999, async () => {
    const server = await fakeServer((conn) => {
      conn.welcome();
      if (conn.number === 1) {
        conn.send(replay(0, 3));
        for (const seq of [1, 2, 3]) conn.send(durable(seq));
      } else {
        conn.send(replay(Number(conn.query.get('since')), 3));
      }
    });
    // A normal first reconnect would wait floor(0.999 * minDelay) = 4995 ms.
    const { herald, seen, seqs } = client(server, { uid: 'alice', minDelay: 5000, maxDelay: 10000, drainReconnectMaxDelay: 400 });
    try {
      await until(() => herald.seq === 3, 3000, 'the first three messages');
      const closedAt = Date.now();
      (await server.connection(1)).close(1012, 'server restarting, reconnect');
      const second = await server.connection(2, 3000);
      const took = Date.now() - closedAt;
      assert.ok(took >= 350 && took < 2000, `reconnected after ${took} ms (drain delay 399 ms)`);
      const wait = seen.states.find((s) => s.state === 'disconnected');
      assert.equal(wait.code, 1012);
      assert.equal(wait.delay, 399, 'floor(random * drainReconnectMaxDelay)');
      assert.equal(wait.attempt, 0, 'a drain is not a failure');
      assert.equal(second.query.get('since'), '3', 'the reconnect resumes after the last processed seq');
      assert.equal(second.query.get('epoch'), 'E1');
      await until(() => herald.state === 'connected' && herald.clientId === 'node-2');
      assert.deepEqual(seqs(), [1, 2, 3]);
    } finally {
      herald.close();
      await server.close();
    }
  });
});

test('close 1012 does not grow the backoff: a failed attempt after it waits the first backoff delay', async () => {
  await withRandom(0.999, async () => {
    const server = await fakeServer((conn) => {
      if (conn.number === 1) { conn.welcome(); conn.close(1012, 'draining'); }
      else if (conn.number === 2) conn.close(1011, 'refused by the test'); // no welcome: a failed attempt
      else conn.welcome();
    });
    const { herald, seen } = client(server, { minDelay: 40, maxDelay: 1000, drainReconnectMaxDelay: 100 });
    try {
      await until(() => herald.clientId === 'node-3', 5000, 'the third connection');
      const waits = seen.states.filter((s) => s.state === 'disconnected');
      assert.deepEqual(waits.map((s) => [s.code, s.attempt, s.delay]), [
        [1012, 0, 99], // floor(0.999 * 100): the drain window
        [1011, 1, 39], // floor(0.999 * 40): attempt 0's window, as if the drain had not happened
      ]);
    } finally {
      herald.close();
      await server.close();
    }
  });
});

test('close 1001 (a server going away without draining) waits the same jittered drain delay', async () => {
  await withRandom(0.5, async () => {
    const server = await fakeServer((conn) => { conn.welcome(); if (conn.number === 1) conn.close(1001); });
    const { herald, seen } = client(server, { minDelay: 5000, drainReconnectMaxDelay: 300 });
    try {
      await server.connection(2, 3000);
      const wait = seen.states.find((s) => s.state === 'disconnected');
      assert.deepEqual([wait.code, wait.attempt, wait.delay], [1001, 0, 150]);
    } finally {
      herald.close();
      await server.close();
    }
  });
});

test('drain delays spread over the whole window', async () => {
  const delays = [];
  for (let i = 0; i < 30; i++) {
    const server = await fakeServer((conn) => { conn.welcome(); if (conn.number === 1) conn.close(1012); });
    const { herald, seen } = client(server, { drainReconnectMaxDelay: 1000 });
    try {
      await until(() => seen.states.some((s) => s.state === 'disconnected'));
      delays.push(seen.states.find((s) => s.state === 'disconnected').delay);
    } finally {
      herald.close();
      await server.close();
    }
  }
  assert.ok(delays.every((d) => d >= 0 && d < 1000), `every delay in [0, 1000): ${delays}`);
  assert.ok(new Set(delays).size > 20, `random delays: ${delays}`);
});

test('drainReconnectMaxDelay is a documented option: default 5000, checked like the other delays', () => {
  assert.equal(DEFAULTS.drainReconnectMaxDelay, 5000);
  assert.throws(() => new Herald('ws://127.0.0.1:1/ws', { drainReconnectMaxDelay: -1, WebSocket: class { } }), TypeError);
});
