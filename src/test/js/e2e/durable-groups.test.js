// herald.js's durable groups in a real headless Chromium, against Herald on a real server: a page whose
// token puts it in two groups follows both groups' streams and its uid's stream across page reloads and
// a server killed and started again, and sees every message once, in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHROMIUM, CHROMIUM_ARGS, CONTROL_URL, HERALD_URL, TOKEN_SECRET,
  pushDurable, pushDurableToGroup, range, signToken, skipReason, sleep, until,
} from './support.js';

const skip = skipReason() ?? (TOKEN_SECRET ? null : 'HERALD_TOKEN_SECRET is not set: no way to sign a token with groups');
const run = Date.now().toString(36);

/**
 * Runs in every load of the page (Herald's own console page, for its origin): the application a site
 * would write, with herald.js and a token function. Everything it sees goes to sessionStorage at once,
 * which survives the reloads (a report to the test process could be lost with the page that sent it).
 */
function application({ token }) {
  if (window.top !== window) return;
  const load = Math.random().toString(36).slice(2);
  const record = (entry) => {
    const all = JSON.parse(sessionStorage.getItem('groupsTestRecord') ?? '[]');
    all.push({ ...entry, load });
    sessionStorage.setItem('groupsTestRecord', JSON.stringify(all));
  };
  import(new URL('herald.js', location.href).href).then(({ Herald }) => {
    const herald = new Herald(new URL('ws', location.href), { token: () => token, minDelay: 100, maxDelay: 2000 });
    herald.on('welcome', () => record({ kind: 'welcome' }));
    herald.on('message', ({ group, seq, data }) => record({ kind: 'message', stream: group ?? 'uid', seq, data }));
    herald.on('replay', ({ group, recovered }) => record({ kind: 'replay', stream: group ?? 'uid', recovered }));
    herald.on('error', ({ source, code, message }) => record({ kind: 'error', source, code, message }));
    herald.on('state', ({ state }) => { if (state === 'disconnected') record({ kind: 'disconnected' }); });
  });
}

async function recorded(page) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await page.evaluate(() => JSON.parse(sessionStorage.getItem('groupsTestRecord') ?? '[]'));
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(100); // the page is between two loads
    }
  }
}

const count = async (page, kind) => (await recorded(page)).filter((entry) => entry.kind === kind).length;

/** The streams with a replay event since the last welcome, as 'stream:recovered'. */
async function replaysSinceWelcome(page) {
  const record = await recorded(page);
  const since = record.findLastIndex((entry) => entry.kind === 'welcome');
  return record.slice(since + 1).filter((entry) => entry.kind === 'replay').map((entry) => `${entry.stream}:${entry.recovered}`);
}

describe('durable groups with herald.js in Chromium', { skip: skip ?? false }, () => {
  let chromium;
  let browser;
  const errors = [];

  before(async () => {
    ({ chromium } = await import('playwright-core'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(errors, [], 'no uncaught exception in any page');
  });

  test('two groups and the uid stream resume across reloads and a server restart: every message once, in order', {
    timeout: 300000, skip: CONTROL_URL ? false : 'HERALD_CONTROL_URL is not set: no way to restart the server',
  }, async () => {
    const uid = `gina-${run}`;
    const streams = { uid, room: `room-${run}`, feed: `feed-${run}` };
    const context = await browser.newContext();
    await context.addInitScript(application, { token: signToken(uid, [streams.room, streams.feed]) });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(HERALD_URL);
    await until(async () => await count(page, 'welcome') === 1, 30000, 'the first welcome');

    const total = 30;
    const pushing = (async () => {
      for (let n = 1; n <= total; n++) {
        await Promise.all([
          pushDurable(uid, { n }, `${uid}-${n}`, 240000),
          pushDurableToGroup(streams.room, { n }, `${streams.room}-${n}`, 240000),
          pushDurableToGroup(streams.feed, { n }, `${streams.feed}-${n}`, 240000),
        ]);
        await sleep(30);
      }
    })();
    const seenOfEach = async (n) => {
      const messages = (await recorded(page)).filter((entry) => entry.kind === 'message');
      return ['uid', streams.room, streams.feed].every((stream) => messages.filter((m) => m.stream === stream).length >= n);
    };
    // A new connection has resumed when each stream's replay has come (the next reload must not cut it
    // before that: the assertions below check every connection's replays).
    const resumed = async (welcomes, what) => {
      await until(async () => await count(page, 'welcome') > welcomes, 60000, `the welcome after ${what}`);
      await until(async () => (await replaysSinceWelcome(page)).length >= 3, 30000, `the replays after ${what}`);
    };
    const reload = async () => {
      const welcomes = await count(page, 'welcome');
      await page.reload();
      await resumed(welcomes, 'a reload');
    };

    // Positions for every stream first, then two reloads while the pushes go on.
    await until(() => seenOfEach(3), 30000, 'three messages of each stream');
    await reload();
    await sleep(150);
    await reload();
    // The server is killed and started again; the page reconnects by itself and resumes.
    await until(() => seenOfEach(12), 60000, 'twelve messages of each stream');
    const welcomes = await count(page, 'welcome');
    const restart = await fetch(new URL('restart', CONTROL_URL), { method: 'POST', signal: AbortSignal.timeout(240000) });
    assert.equal(restart.status, 200, 'the server restarted: ' + (await restart.text()));
    await resumed(welcomes, 'the restart');
    await reload();
    await pushing;
    await until(() => seenOfEach(total), 60000, `all ${total} messages of each stream`)
      .catch(() => { }); // the assertions below show what is missing or repeated
    await sleep(500); // anything extra (a duplicate) would show up now

    const record = await recorded(page);
    assert.deepEqual(record.filter((e) => e.kind === 'error'), [], 'no error event');
    for (const [name, stream] of Object.entries(streams)) {
      const key = name === 'uid' ? 'uid' : stream;
      const messages = record.filter((e) => e.kind === 'message' && e.stream === key);
      assert.deepEqual(messages.map((m) => m.seq), range(1, total), `${name}: seqs 1..${total}, each once, in order`);
      assert.deepEqual(messages.map((m) => m.data.n), range(1, total), `${name}: payloads 1..${total}, each once, in order`);
    }
    // After every welcome but the first (when the page had no group positions yet), each group's stream
    // was resumed with a replay event of its own, and nothing was lost; a connection that the server closed
    // before it could answer (it was stopping or starting) is the exception.
    const loads = new Set(record.map((e) => e.load));
    assert.ok(loads.size >= 4, `the messages were seen by ${loads.size} page loads`);
    const connections = [];
    for (const entry of record) {
      if (entry.kind === 'welcome') connections.push({ replays: new Set(), dropped: false });
      else if (entry.kind === 'replay') connections.at(-1).replays.add(`${entry.stream}:${entry.recovered}`);
      else if (entry.kind === 'disconnected' && connections.length > 0) connections.at(-1).dropped = true;
    }
    assert.ok(connections.length >= 5, `four reconnects at least (three reloads, a restart): ${connections.length} welcomes`);
    connections.slice(1).forEach(({ replays, dropped }, i) => {
      if (dropped && replays.size === 0) return;
      assert.deepEqual([...replays].sort(), [`${streams.feed}:true`, `${streams.room}:true`, 'uid:true'],
        `welcome #${i + 2}: a recovered replay of each stream`);
    });
    await context.close();
  });
});

if (skip) console.log(`# durable group browser tests skipped: ${skip}`);
