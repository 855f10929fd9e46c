import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, client, fakeServer, until } from './support.js';

test('full jitter: every delay lies in [0, min(max, min * 2^attempt))', () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const cap = Math.min(30000, 500 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, 500, 30000, () => 0), 0, 'the lower bound is 0');
    const top = backoffDelay(attempt, 500, 30000, () => 0.999999);
    assert.ok(top < cap && top >= cap * 0.999 - 1, `attempt ${attempt}: ${top} is just below the cap ${cap}`);
  }
  assert.equal(backoffDelay(0, 500, 30000, () => 0.5), 250);
  assert.equal(backoffDelay(3, 500, 30000, () => 0.5), 2000);
  assert.equal(backoffDelay(10, 500, 30000, () => 0.5), 15000, 'capped at maxDelay');
  assert.equal(backoffDelay(1000, 500, 30000, () => 0.5), 15000, 'huge attempt counts do not overflow');
});

test('full jitter: delays spread over the whole window (not a fixed or half-jittered delay)', () => {
  const samples = Array.from({ length: 2000 }, () => backoffDelay(4, 500, 30000));
  const cap = 8000;
  assert.ok(samples.every((d) => d >= 0 && d < cap));
  assert.ok(samples.some((d) => d < cap * 0.1), 'some delays are near 0');
  assert.ok(samples.some((d) => d > cap * 0.9), 'some delays are near the cap');
  assert.ok(new Set(samples).size > 500, 'delays are random');
});

test('the client reconnects with growing, bounded delays and resets the backoff after a welcome', async () => {
  let welcomeFrom = 4; // connections 1-3 are refused (closed at once), from the 4th on they get a welcome
  const server = await fakeServer((conn) => {
    if (conn.number >= welcomeFrom) conn.welcome();
    else conn.close(1011, 'refused by the test');
  });
  const { herald, seen } = client(server, { minDelay: 40, maxDelay: 100 });
  try {
    await until(() => herald.state === 'connected', 5000, 'the welcome of the 4th connection');
    const waits = seen.states.filter((s) => s.state === 'disconnected');
    assert.equal(waits.length, 3);
    waits.forEach((s, i) => {
      assert.equal(s.attempt, i + 1);
      assert.equal(s.code, 1011);
      assert.ok(s.delay >= 0 && s.delay < Math.min(100, 40 * 2 ** i), `delay ${s.delay} of attempt ${i + 1}`);
    });

    // After a welcome the backoff starts again from minDelay.
    welcomeFrom = Infinity;
    (await server.connection(4)).close(4000, 'heartbeat timeout');
    await until(() => seen.states.filter((s) => s.state === 'disconnected').length >= 4);
    const after = seen.states.filter((s) => s.state === 'disconnected')[3];
    assert.equal(after.attempt, 1);
    assert.ok(after.delay < 40);
  } finally {
    herald.close();
    await server.close();
  }
});
