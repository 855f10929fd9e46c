import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, durable, fakeServer, memoryStorage, sleep, until } from './support.js';

const replay = (since, seq, extra = {}) => ({ type: 'replay', epoch: 'E1', since, seq, recovered: true, ...extra });

test('duplicates are dropped: the handler sees each seq once', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send(replay(0, 3));
    for (const seq of [1, 2, 2, 1, 3, 3]) conn.send(durable(seq));
  });
  const { herald, seqs } = client(server, { uid: 'alice' });
  try {
    await until(() => herald.seq === 3);
    await sleep(1200); // longer than the client waits for a gap to fill
    assert.deepEqual(seqs(), [1, 2, 3]);
    assert.equal(server.connections[0].received.filter((f) => f.type === 'resume').length, 0,
      'a duplicate is not taken for a gap');
  } finally {
    herald.close();
    await server.close();
  }
});

test('out-of-order messages are delivered in seq order', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send(replay(0, 6));
    for (const seq of [1, 3, 2, 6, 5, 4]) conn.send(durable(seq));
  });
  const { herald, seqs } = client(server, { uid: 'alice' });
  try {
    await until(() => herald.seq === 6);
    assert.deepEqual(seqs(), [1, 2, 3, 4, 5, 6]);
    assert.equal(server.connections[0].received.filter((f) => f.type === 'resume').length, 0,
      'a gap filled in time needs no replay');
  } finally {
    herald.close();
    await server.close();
  }
});

test('a gap that is not filled makes the client ask for a replay from its position', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send(replay(0, 4));
    for (const seq of [1, 3, 4]) conn.send(durable(seq)); // 2 is missing
    conn.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      conn.send(replay(frame.since, 4));
      for (let seq = frame.since + 1; seq <= 4; seq++) conn.send(durable(seq));
    };
  });
  const { herald, seqs } = client(server, { uid: 'alice' });
  try {
    const resume = await (await server.connection(1)).next('resume', 4000);
    assert.deepEqual(resume, { type: 'resume', since: 1, epoch: 'E1' });
    await until(() => herald.seq === 4);
    assert.deepEqual(seqs(), [1, 2, 3, 4]);
  } finally {
    herald.close();
    await server.close();
  }
});

test('acks are cumulative and batched: at ackBatch messages, or after ackDelay', async () => {
  let conn;
  const server = await fakeServer((c) => { conn = c; c.welcome(); c.send(replay(0, 0)); });
  const { herald, seen } = client(server, { uid: 'alice', ackBatch: 3, ackDelay: 100 });
  try {
    await until(() => herald.seq === 0);
    for (let seq = 1; seq <= 7; seq++) conn.send(durable(seq));
    await until(() => herald.seq === 7);
    await until(() => conn.received.filter((f) => f.type === 'ack').length === 2, 1000, 'two full batches');
    assert.deepEqual(conn.received.filter((f) => f.type === 'ack'), [{ type: 'ack', seq: 3 }, { type: 'ack', seq: 6 }]);
    await sleep(40);
    assert.equal(conn.received.filter((f) => f.type === 'ack').length, 2, 'the 7th waits for ackDelay');
    await until(() => conn.received.filter((f) => f.type === 'ack').length === 3, 1000, 'the delayed ack');
    assert.deepEqual(conn.received.at(-1), { type: 'ack', seq: 7 });
    assert.deepEqual(seen.acks, [3, 6, 7]);
    await sleep(250);
    assert.equal(conn.received.filter((f) => f.type === 'ack').length, 3, 'nothing new: no ack');
  } finally {
    herald.close();
    await server.close();
  }
});

test('reconnects resume with since and epoch; exactly once across many cuts', async () => {
  // A server that holds a stream of 300 messages and cuts the connection every 37 messages.
  const total = 300;
  const server = await fakeServer((conn) => {
    conn.welcome();
    const since = conn.query.has('since') ? Number(conn.query.get('since')) : 0;
    conn.send(replay(since, total));
    let sent = 0;
    // Resend a few already processed messages first: the client must drop them.
    for (let seq = Math.max(1, since - 3); seq <= total; seq++) {
      conn.send(durable(seq));
      if (++sent === 37) { conn.cut(); return; }
    }
  });
  const { herald, seqs } = client(server, { uid: 'alice', minDelay: 1, maxDelay: 5 });
  try {
    await until(() => herald.seq === total, 10000, 'all messages');
    assert.deepEqual(seqs(), Array.from({ length: total }, (_, i) => i + 1));
    assert.ok(server.connections.length >= 8);
    const sinces = server.connections.slice(1).map((c) => c.query.get('since'));
    assert.ok(sinces.every((s) => s !== null), 'every reconnect carries since');
    assert.ok(server.connections.slice(1).every((c) => c.query.get('epoch') === 'E1'));
    assert.equal(server.connections[0].query.get('since'), null, 'the first connection has no position');
  } finally {
    herald.close();
    await server.close();
  }
});

test('a reload (new instance, same storage) resumes after the last processed seq', async () => {
  const storage = memoryStorage();
  const server = await fakeServer((conn) => {
    conn.welcome();
    const since = conn.query.has('since') ? Number(conn.query.get('since')) : 0;
    const last = conn.number === 1 ? 5 : 8;
    conn.send(replay(since, last));
    for (let seq = since + 1; seq <= last; seq++) conn.send(durable(seq));
  });
  const first = client(server, { uid: 'alice', storage });
  await until(() => first.herald.seq === 5);
  first.herald.close();
  const second = client(server, { uid: 'alice', storage });
  try {
    await until(() => second.herald.seq === 8);
    assert.equal(server.connections[1].query.get('since'), '5');
    assert.equal(server.connections[1].query.get('epoch'), 'E1');
    assert.deepEqual(first.seqs(), [1, 2, 3, 4, 5]);
    assert.deepEqual(second.seqs(), [6, 7, 8]);
    // The new instance acknowledges at once what it resumed from, in case the old one could not.
    await until(() => server.connections[1].received.length > 0, 3000, 'the first frame of the new instance');
    assert.deepEqual(server.connections[1].received[0], { type: 'ack', seq: 5 });
    // Positions are per uid and endpoint.
    assert.deepEqual(Object.keys(Object.fromEntries(storage.items)), [`herald:${server.url}:alice`]);
  } finally {
    second.herald.close();
    await server.close();
  }
});

test('recovered:false is reported, and the stream continues from where the server restarted it', async (t) => {
  for (const [reason, since, expectFirst] of [['expired', 7, 8], ['epoch', 0, 1], ['ahead', 3, 4]]) {
    await t.test(reason, async () => {
      const storage = memoryStorage();
      const server = await fakeServer((conn) => {
        conn.welcome();
        conn.send(replay(since, since + 2, { recovered: false, reason, oldest: since + 1, epoch: 'E2' }));
        conn.send(durable(since + 1));
        conn.send(durable(since + 2));
      });
      storage.setItem(`herald:${server.url}:alice`, JSON.stringify({ seq: 5, epoch: 'E1' }));
      const { herald, seen, seqs } = client(server, { uid: 'alice', storage });
      try {
        await until(() => seen.messages.length === 2);
        assert.equal(seen.replays.length, 1);
        assert.deepEqual(seen.replays[0], {
          recovered: false, reason, since, seq: since + 2, oldest: since + 1, epoch: 'E2', previous: 5,
        });
        assert.deepEqual(seqs(), [expectFirst, expectFirst + 1]);
        assert.equal(herald.epoch, 'E2');
        assert.deepEqual(JSON.parse(storage.getItem(`herald:${server.url}:alice`)), { seq: since + 2, epoch: 'E2' });
      } finally {
        herald.close();
        await server.close();
      }
    });
  }
});

test('a mid-stream replay (messages purged while catching up) is reported and skipped over', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send(replay(0, 10));
    conn.send(durable(1));
    conn.send({ type: 'replay', epoch: null, since: 6, recovered: false, reason: 'expired', oldest: 7 });
    conn.send(durable(7));
  });
  const { herald, seen, seqs } = client(server, { uid: 'alice' });
  try {
    await until(() => herald.seq === 7);
    assert.deepEqual(seqs(), [1, 7]);
    assert.deepEqual(seen.replays.map((r) => [r.recovered, r.reason, r.previous, r.since]),
      [[true, null, null, 0], [false, 'expired', 1, 6]]);
  } finally {
    herald.close();
    await server.close();
  }
});

test('with a token the uid is learnt from the welcome; a stored position is sent in a resume', async () => {
  const storage = memoryStorage();
  const server = await fakeServer((conn) => {
    conn.welcome({ uid: 'alice' });
    // The server starts the stream after the uid's acked position (2): the client must not take these.
    conn.send(replay(2, 6));
    for (const seq of [3, 4]) conn.send(durable(seq));
    conn.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      conn.send(durable(5)); // still from the first start: ignored, it comes again after the answer
      conn.send(replay(frame.since, 6));
      for (let seq = frame.since + 1; seq <= 6; seq++) conn.send(durable(seq));
    };
  });
  storage.setItem(`herald:${server.url}:alice`, JSON.stringify({ seq: 4, epoch: 'E1' }));
  const { herald, seqs } = client(server, { token: 'signed', storage });
  try {
    await until(() => herald.seq === 6);
    const conn = server.connections[0];
    assert.deepEqual(conn.received.find((f) => f.type === 'resume'), { type: 'resume', since: 4, epoch: 'E1' });
    assert.deepEqual(seqs(), [5, 6]);
    assert.equal(herald.uid, 'alice');

    // On a reconnect the uid is known: the position goes in the handshake.
    conn.cut();
    await server.connection(2);
    assert.equal(server.connections[1].query.get('since'), '6');
  } finally {
    herald.close();
    await server.close();
  }
});

test('without any position the stream starts where the server says (the uid\'s acked position)', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send(replay(40, 42));
    conn.send(durable(41));
    conn.send(durable(42));
  });
  const { herald, seen, seqs } = client(server, { uid: 'bob' });
  try {
    await until(() => herald.seq === 42);
    assert.deepEqual(seqs(), [41, 42]);
    assert.equal(seen.replays[0].recovered, true);
    assert.equal(server.connections[0].received.filter((f) => f.type === 'resume').length, 0);
  } finally {
    herald.close();
    await server.close();
  }
});

test('when the token\'s uid changes, a handshake that carried the old uid\'s position is started over', async () => {
  const server = await fakeServer((conn) => {
    const uid = conn.number === 1 ? 'alice' : 'bob';
    conn.welcome({ uid });
    if (conn.number === 1) {
      conn.send(replay(0, 2));
      conn.send(durable(1));
      conn.send(durable(2));
      setTimeout(() => conn.cut(), 50);
    } else {
      const since = conn.query.has('since') ? Number(conn.query.get('since')) : 7; // bob's acked position
      conn.send(replay(since, 8));
      for (let seq = since + 1; seq <= 8; seq++) conn.send(durable(seq, uid + seq));
    }
  });
  const { herald, seen } = client(server, { token: () => 'signed' });
  try {
    await until(() => herald.uid === 'bob' && herald.seq === 8, 5000, 'bob\'s stream');
    assert.equal(server.connections[1].query.get('since'), '2', 'the reconnect carried alice\'s position');
    assert.equal(server.connections[2].query.get('since'), null, 'started over without it');
    assert.deepEqual(seen.messages.map((m) => m.data), ['m1', 'm2', 'bob8']);
  } finally {
    herald.close();
    await server.close();
  }
});

test('a durable group message is handed over with its group and leaves the uid stream alone', async () => {
  let conn;
  const server = await fakeServer((c) => { conn = c; c.welcome(); c.send(replay(0, 2)); c.send(durable(1)); c.send(durable(2)); });
  const { herald, seen } = client(server, { uid: 'alice', ackBatch: 1 });
  try {
    await until(() => herald.seq === 2);
    conn.send({ type: 'replay', group: 'room', epoch: 'G1', since: 0, seq: 9, recovered: true });
    conn.send({ type: 'message', id: 'g-9', group: 'room', seq: 9, data: 'to the room' });
    conn.send(durable(3));
    await until(() => herald.seq === 3);
    const group = seen.messages.find((m) => m.group === 'room');
    assert.deepEqual([group.seq, group.data], [9, 'to the room']);
    assert.deepEqual(seen.messages.filter((m) => m.group === undefined).map((m) => m.seq), [1, 2, 3]);
    assert.equal(seen.replays.filter((r) => r.group === undefined).length, 1, "the group's replay is not taken for the uid stream's");
    assert.equal(herald.epoch, 'E1', "the group's epoch is not the uid stream's");
    assert.ok(!conn.received.some((f) => f.type === 'ack' && f.seq === 9), 'a group seq is never acknowledged');
    assert.equal(conn.received.filter((f) => f.type === 'resume').length, 0, 'no gap seen in the uid stream');
  } finally {
    herald.close();
    await server.close();
  }
});

test('joined frames (batch=1): an array is handled element by element, in order, as if each came alone', async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.send([replay(0, 4), durable(1), durable(2), { type: 'message', id: 'live', data: 'not durable' }]);
    conn.send([durable(4), durable(3)]); // out of order, as single frames may be: delivered in seq order
    conn.send([{ type: 'ping' }]);
  });
  const { herald, seen, seqs } = client(server, { uid: 'alice' });
  try {
    const conn = await server.connection(1);
    assert.equal(conn.query.get('batch'), '1', 'a WebSocket asks for joined frames');
    await until(() => herald.seq === 4);
    assert.deepEqual(seen.replays.map((r) => [r.since, r.seq]), [[0, 4]]);
    assert.deepEqual(seen.messages.map((m) => [m.data, m.seq]),
      [['m1', 1], ['m2', 2], ['not durable', null], ['m3', 3], ['m4', 4]]);
    await conn.next('pong');
    const ack = await conn.next('ack', 2000);
    assert.deepEqual(ack, { type: 'ack', seq: 4 });
    assert.deepEqual(seen.errors, []);
  } finally {
    herald.close();
    await server.close();
  }
});
