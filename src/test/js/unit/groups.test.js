import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, fakeServer, memoryStorage, sleep, until } from './support.js';

// Durable groups: herald.js keeps its own position per group (groups have no acks), resumes the groups
// after each welcome, drops what it has already processed, and reports each group's replay.

const groupReplay = (group, since, seq, extra = {}) => ({ type: 'replay', group, epoch: 'G-' + group, since, seq, recovered: true, ...extra });
const groupMessage = (group, seq) => ({ type: 'message', id: `${group}-${seq}`, group, seq, data: `${group}${seq}` });
const resumes = (conn) => conn.received.filter((f) => f.type === 'resume');
const positionsKey = (server, uid) => `herald-groups:${server.url}:${uid}`;

/**
 * A fake server holding two group streams (room: 1..roomLast, feed: 1..feedLast) for a client that is
 * in both: it answers a resume as Herald does (a replay per group, then the messages after its position).
 */
function groupsServer(streams) {
  return fakeServer((conn) => {
    conn.welcome();
    conn.onFrame = (frame) => {
      if (frame.type !== 'resume' || !frame.groups) return;
      for (const [group, position] of Object.entries(frame.groups)) {
        const since = typeof position === 'number' ? position : position.since;
        const last = streams[group]();
        conn.send(groupReplay(group, since, last));
        for (let seq = since + 1; seq <= last; seq++) conn.send(groupMessage(group, seq));
      }
    };
  });
}

test('each group keeps its own position: messages once, in order, with group and seq; no acks', async () => {
  let conn;
  const server = await fakeServer((c) => { conn = c; c.welcome(); });
  const storage = memoryStorage();
  const { herald, seen } = client(server, { uid: 'alice', storage, ackBatch: 1 });
  try {
    await until(() => conn && herald.state === 'connected');
    for (const [group, seq] of [['room', 1], ['feed', 7], ['room', 2], ['room', 2], ['feed', 7], ['room', 1], ['feed', 8]]) {
      conn.send(groupMessage(group, seq));
    }
    await until(() => herald.groupSeq('feed') === 8);
    await sleep(50); // a duplicate would show now
    assert.deepEqual(seen.messages.map((m) => [m.group, m.seq, m.data]),
      [['room', 1, 'room1'], ['feed', 7, 'feed7'], ['room', 2, 'room2'], ['feed', 8, 'feed8']]);
    assert.deepEqual(Object.keys(seen.messages[0]).sort(), ['data', 'from', 'group', 'id', 'seq', 'to']);
    assert.equal(herald.groupSeq('room'), 2);
    assert.equal(herald.seq, null, "the uid's stream is untouched");
    assert.deepEqual(JSON.parse(storage.getItem(positionsKey(server, 'alice'))), [['room', 2, null], ['feed', 8, null]]);
    assert.equal(conn.received.filter((f) => f.type === 'ack').length, 0, 'a group seq is never acknowledged');
    assert.equal(resumes(conn).length, 0, 'a member without a position follows from the first message it gets');
  } finally {
    herald.close();
    await server.close();
  }
});

test('a reconnect and a reload resume every group after its position; what came before the answer is ignored', async () => {
  let room = 3;
  let feed = 2;
  const server = await groupsServer({ room: () => room, feed: () => feed });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['feed', 0, null], ['room', 0, null]]));
  const first = client(server, { uid: 'alice', storage });
  try {
    await until(() => first.herald.groupSeq('room') === 3 && first.herald.groupSeq('feed') === 2);
    assert.deepEqual(resumes(server.connections[0]), [{ type: 'resume', groups: { room: 0, feed: 0 } }],
      'the most recently active group first, and the uid stream not named');
    assert.deepEqual(first.seen.replays.map((r) => [r.group, r.recovered, r.since, r.previous, r.epoch]),
      [['room', true, 0, 0, 'G-room'], ['feed', true, 0, 0, 'G-feed']]);

    // A cut: the next connection resumes from the positions, with the epochs learnt from the replays.
    room = 5;
    server.connections[0].cut();
    const second = await server.connection(2);
    await until(() => first.herald.groupSeq('room') === 5);
    assert.deepEqual(resumes(second)[0], {
      type: 'resume', groups: { room: { since: 3, epoch: 'G-room' }, feed: { since: 2, epoch: 'G-feed' } },
    });
    first.herald.close();

    // A reload: a new instance with the same storage.
    room = 6;
    feed = 4;
    const reloaded = client(server, { uid: 'alice', storage });
    const third = await server.connection(3);
    third.send(groupMessage('feed', 4)); // before the welcome's resume is answered: ignored, sent again
    try {
      await until(() => reloaded.herald.groupSeq('room') === 6 && reloaded.herald.groupSeq('feed') === 4);
      await sleep(50);
      assert.deepEqual(resumes(third)[0].groups, { room: { since: 5, epoch: 'G-room' }, feed: { since: 2, epoch: 'G-feed' } });
      const all = [...first.seen.messages, ...reloaded.seen.messages];
      assert.deepEqual(all.filter((m) => m.group === 'room').map((m) => m.seq), [1, 2, 3, 4, 5, 6], 'room: once each, in order');
      assert.deepEqual(all.filter((m) => m.group === 'feed').map((m) => m.seq), [1, 2, 3, 4], 'feed: once each, in order');
      assert.deepEqual(reloaded.seen.replays.map((r) => [r.group, r.recovered, r.previous]), [['room', true, 5], ['feed', true, 2]]);
    } finally {
      reloaded.herald.close();
    }
  } finally {
    first.herald.close();
    await server.close();
  }
});

test("a group's history that is lost is reported in its replay, and the group goes on from where the server says", async () => {
  const server = await fakeServer((conn) => {
    conn.welcome();
    conn.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      conn.send(groupReplay('room', 20, 22, { recovered: false, reason: 'expired', oldest: 21 }));
      conn.send(groupMessage('room', 21));
      conn.send(groupMessage('room', 22));
      conn.send(groupReplay('feed', 4, 4));
    };
  });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['room', 5, 'G-room'], ['feed', 4, 'G-feed']]));
  const { herald, seen } = client(server, { uid: 'alice', storage });
  try {
    await until(() => herald.groupSeq('room') === 22 && seen.replays.length === 2);
    assert.deepEqual(seen.replays[0], {
      group: 'room', recovered: false, reason: 'expired', since: 20, seq: 22, oldest: 21, epoch: 'G-room', previous: 5,
    });
    assert.deepEqual(seen.messages.map((m) => m.seq), [21, 22]);
    assert.equal(seen.replays[1].group, 'feed');
    assert.equal(seen.replays[1].recovered, true);
  } finally {
    herald.close();
    await server.close();
  }
});

test('joined after the welcome: not_member is not reported, and a start elsewhere than its position is resumed', async () => {
  let conn;
  const server = await fakeServer((c) => {
    conn = c;
    c.welcome();
    let member = false;
    c.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      if (!member) {
        c.send({ type: 'error', code: 'not_member', message: 'the client is not in group room; it resumes only groups it is in' });
        // The backend joins it now; join-last gives it the newest two, a start at 8 (its position is 5).
        member = true;
        c.send(groupReplay('room', 8, 10));
        c.send(groupMessage('room', 9));
        c.send(groupMessage('room', 10));
        return;
      }
      c.send(groupReplay('room', frame.groups.room.since, 10));
      for (let seq = frame.groups.room.since + 1; seq <= 10; seq++) c.send(groupMessage('room', seq));
    };
  });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['room', 5, 'G-room']]));
  const { herald, seen } = client(server, { uid: 'alice', storage });
  try {
    await until(() => herald.groupSeq('room') === 10);
    await sleep(50);
    assert.deepEqual(seen.messages.map((m) => m.seq), [6, 7, 8, 9, 10], 'nothing skipped, nothing twice');
    assert.deepEqual(resumes(conn).map((f) => f.groups), [{ room: { since: 5, epoch: 'G-room' } }, { room: { since: 5, epoch: 'G-room' } }]);
    assert.deepEqual(seen.errors, [], 'not_member answers our own resume: not an application error');
    assert.deepEqual(seen.replays.map((r) => [r.group, r.since, r.recovered]), [['room', 5, true]], 'only the start at its position');
  } finally {
    herald.close();
    await server.close();
  }
});

test('a not_member that names its group leaves the other groups of the resume pending', async () => {
  let conn;
  const server = await fakeServer((c) => {
    conn = c;
    c.welcome();
    c.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      c.send({ type: 'error', code: 'not_member', group: 'room', message: 'the client is not in group room' });
      c.send(groupMessage('feed', 4)); // live, before the answer to the resume: the answer sends it again
      c.send(groupReplay('feed', 3, 4));
      c.send(groupMessage('feed', 4));
    };
  });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['room', 5, null], ['feed', 3, null]]));
  const { herald, seen } = client(server, { uid: 'alice', storage });
  try {
    await until(() => herald.groupSeq('feed') === 4);
    await sleep(50);
    assert.deepEqual(seen.messages.map((m) => [m.group, m.seq]), [['feed', 4]]);
    assert.deepEqual(seen.replays.map((r) => [r.group, r.since, r.recovered]), [['feed', 3, true]]);
    assert.equal(resumes(conn).length, 1, "feed's replay answers the resume: no second one");
    assert.deepEqual(seen.errors, []);
  } finally {
    herald.close();
    await server.close();
  }
});

test('a live message beyond the position of a group the server does not know the position of makes the client resume it', async () => {
  let conn;
  const server = await fakeServer((c) => {
    conn = c;
    c.welcome();
    c.onFrame = (frame) => {
      if (frame.type !== 'resume') return;
      if (resumes(c).length === 1) {
        c.send({ type: 'error', code: 'not_member', message: 'not yet' });
        c.send(groupMessage('room', 9)); // joined meanwhile (join-last 0): the first live message
        return;
      }
      c.send(groupReplay('room', 5, 9));
      for (let seq = 6; seq <= 9; seq++) c.send(groupMessage('room', seq));
    };
  });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['room', 5, null]]));
  const { herald, seen } = client(server, { uid: 'alice', storage });
  try {
    await until(() => herald.groupSeq('room') === 9);
    assert.deepEqual(seen.messages.map((m) => m.seq), [6, 7, 8, 9]);
    assert.deepEqual(resumes(conn).map((f) => f.groups), [{ room: 5 }, { room: 5 }]);
  } finally {
    herald.close();
    await server.close();
  }
});

test('resumeGroup(): a group joined after connecting, without a position, from its start', async () => {
  let conn;
  const server = await groupsServer({ room: () => 3 });
  const { herald, seen } = client(server, { uid: 'alice' });
  try {
    await until(() => herald.state === 'connected');
    conn = server.connections[0];
    assert.equal(resumes(conn).length, 0, 'no positions: no resume after the welcome');
    assert.equal(herald.resumeGroup('room'), true);
    await until(() => herald.groupSeq('room') === 3);
    assert.deepEqual(resumes(conn)[0], { type: 'resume', groups: { room: 0 } });
    assert.deepEqual(seen.messages.map((m) => m.seq), [1, 2, 3]);
    assert.deepEqual(seen.replays.map((r) => [r.group, r.since, r.previous]), [['room', 0, null]]);
    assert.throws(() => herald.resumeGroup('no spaces'), TypeError);
  } finally {
    herald.close();
    await server.close();
  }
});

test('the positions are bounded: a server naming ever new groups leaves only the most recent maxGroupPositions', async () => {
  let conn;
  const server = await fakeServer((c) => { conn = c; c.welcome(); });
  const storage = memoryStorage();
  const { herald, seen } = client(server, { uid: 'alice', storage, maxGroupPositions: 3 });
  try {
    await until(() => conn && herald.state === 'connected');
    for (let i = 1; i <= 50; i++) conn.send(groupMessage('g' + i, 1));
    conn.send(groupMessage('g48', 2));
    await until(() => seen.messages.length === 51);
    assert.deepEqual(JSON.parse(storage.getItem(positionsKey(server, 'alice'))).map(([group]) => group), ['g49', 'g50', 'g48']);
    assert.equal(herald.groupSeq('g1'), null);
    conn.cut();
    const next = await server.connection(2);
    const resume = await next.next('resume');
    assert.deepEqual(Object.keys(resume.groups), ['g48', 'g50', 'g49']);
  } finally {
    herald.close();
    await server.close();
  }
});

test('stored group positions that are not valid are skipped; an unbound client keeps its own', async () => {
  const server = await fakeServer((c) => c.welcome());
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, ''), JSON.stringify([['ok', 4, 'E'], ['bad name', 1, null], ['neg', -1, null], ['frac', 1.5, null], 'x']));
  const { herald } = client(server, { storage });
  try {
    const conn = await server.connection(1);
    const resume = await conn.next('resume');
    assert.deepEqual(resume.groups, { ok: { since: 4, epoch: 'E' } });
    assert.equal(herald.groupSeq('ok'), 4);
  } finally {
    herald.close();
    await server.close();
  }
});

test("a group's mid-stream replay (messages purged while it caught up) is reported, and the group goes on after it", async () => {
  const server = await groupsServer({ room: () => 2 });
  const storage = memoryStorage();
  storage.setItem(positionsKey(server, 'alice'), JSON.stringify([['room', 0, null]]));
  const { herald, seen } = client(server, { uid: 'alice', storage });
  try {
    await until(() => herald.groupSeq('room') === 2);
    const conn = server.connections[0];
    conn.send({ type: 'replay', group: 'room', epoch: null, since: 6, recovered: false, reason: 'expired', oldest: 7 });
    conn.send(groupMessage('room', 7));
    await until(() => herald.groupSeq('room') === 7);
    assert.deepEqual(seen.messages.map((m) => m.seq), [1, 2, 7]);
    assert.deepEqual(seen.replays.map((r) => [r.group, r.recovered, r.reason, r.previous, r.since]),
      [['room', true, null, 0, 0], ['room', false, 'expired', 2, 6]]);
    assert.equal(resumes(conn).length, 1, 'no resume: the server said where the group goes on');
  } finally {
    herald.close();
    await server.close();
  }
});
