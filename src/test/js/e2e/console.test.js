// The Herald console and herald.js in a real headless Chromium, against Herald on a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_KEY, CHROMIUM, CHROMIUM_ARGS, CONTROL_URL, HERALD_URL, RELAY_POLICY, SCREENSHOTS,
  api, assertExactlyOnceInOrder, logRows, openConsole, range, pushDurable, pushDurableToGroup, skipReason, sleep, startProxy, until, waitForState,
} from './support.js';

const skip = skipReason();
const run = Date.now().toString(36); // uids unique to this run

describe('the Herald console in Chromium', { skip: skip ?? false }, () => {
  let chromium;
  let browser;
  let proxy;
  let consoleUrl;
  const errors = []; // uncaught exceptions in the pages: none is expected

  before(async () => {
    ({ chromium } = await import('playwright-core'));
    // Playwright gives every launch a fresh temporary user-data-dir; it never downloads a browser here.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
    proxy = await startProxy(new URL(HERALD_URL));
    consoleUrl = proxy.url(new URL(HERALD_URL).pathname); // the console under the context path, via the proxy
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    assert.deepEqual(errors, [], 'no uncaught exception in any page');
  });

  test('two pages as two uids: a push from the panel reaches the right page only; groups, broadcast, presence', { timeout: 120000 }, async () => {
    const alice = await openConsole(browser, consoleUrl, `alice-${run}`, errors);
    const bob = await openConsole(browser, consoleUrl, `bob-${run}`, errors);
    const page = alice.page;
    const aliceId = await page.textContent('#client-id');
    const bobId = await bob.page.textContent('#client-id');
    assert.match(aliceId, /^[0-9a-z]{10}-[0-9a-z]+$/);
    assert.notEqual(aliceId, bobId);
    assert.equal(await page.textContent('#ws-url'), consoleUrl.replace(/^http/, 'ws') + 'ws', 'endpoints follow the page location');

    // Push to bob from alice's push panel (durable by default).
    await page.fill('#api-key', API_KEY);
    await page.fill('#push-name', `bob-${run}`);
    await page.fill('#push-data', '{"text":"for bob"}');
    await page.click('#push');
    await page.waitForFunction(() => document.getElementById('push-result').textContent.startsWith('202'));
    assert.match(await page.textContent('#push-result'), /"seq":1/);
    await until(async () => (await bob.durable()).length === 1, 10000, 'the message on bob\'s page');
    assert.deepEqual((await bob.durable())[0].data, { text: 'for bob' });

    // Then to alice: when it has arrived, bob's message has had every chance to reach the wrong page.
    for (let n = 1; n <= 3; n++) {
      await page.fill('#push-name', `alice-${run}`);
      await page.fill('#push-data', JSON.stringify({ text: 'for alice', n }));
      await page.click('#push');
      await page.waitForFunction((seq) => document.getElementById('push-result').textContent.includes(`"seq":${seq}`), n);
    }
    await until(async () => (await alice.durable()).length === 3, 10000, 'the messages on alice\'s page');
    await sleep(300);
    assert.deepEqual((await alice.messages()).map((m) => m.data), range(1, 3).map((n) => ({ text: 'for alice', n })), 'alice sees only hers');
    assert.deepEqual((await bob.messages()).map((m) => m.data), [{ text: 'for bob' }], 'bob sees only his');

    // The page shows each durable message with its seq and, once acknowledged, as acked.
    await page.waitForFunction(() => [...document.querySelectorAll('#log li.msg')].every((row) => row.classList.contains('acked')), null, { timeout: 10000 });
    assert.deepEqual((await logRows(page)).map((r) => [r.seq, r.acked]), [[1, true], [2, true], [3, true]]);
    assert.equal(await page.textContent('#last-seq'), '3');

    // Groups: bob's page joins a group; a group push reaches bob only (not durable: no seq).
    const group = `blue-${run}`;
    await bob.page.fill('#api-key', API_KEY);
    await bob.page.fill('#join-group', group);
    await bob.page.click('#join');
    await bob.page.waitForFunction(() => document.getElementById('join-result').textContent.includes('joined'));
    await page.check('input[name=target][value=group]');
    await page.fill('#push-name', group);
    await page.fill('#push-data', '{"text":"for the group"}');
    await page.click('#push');
    await until(async () => (await bob.messages()).some((m) => m.data.text === 'for the group'), 10000, 'the group message');
    assert.equal((await bob.messages()).at(-1).seq, null);

    // Everyone.
    await page.check('input[name=target][value=all]');
    await page.fill('#push-data', '{"text":"for everyone"}');
    await page.click('#push');
    await until(async () => (await alice.messages()).some((m) => m.data.text === 'for everyone')
      && (await bob.messages()).some((m) => m.data.text === 'for everyone'), 10000, 'the broadcast on both pages');
    assert.ok(!(await alice.messages()).some((m) => m.data.text === 'for the group'), 'the group message did not reach alice');

    // An application message from bob's page reaches the server (counted as messagesIn).
    const before = (await api.get('stats')).json.messagesIn;
    await bob.page.fill('#send-data', '{"hello":"server"}');
    await bob.page.click('#send');
    assert.equal(await bob.page.textContent('#send-result'), 'Sent.');
    await until(async () => (await api.get('stats')).json.messagesIn === before + 1, 10000, 'messagesIn to grow by one');

    // A message from bob's page to alice, relayed by the server if its policy allows relays to uids.
    await bob.page.selectOption('#send-to', 'uid');
    await bob.page.fill('#send-name', `alice-${run}`);
    await bob.page.fill('#send-data', '{"text":"relayed"}');
    await bob.page.click('#send');
    if (RELAY_POLICY.split(',').some((word) => word === 'uids' || word === 'all')) {
      await until(async () => (await alice.messages()).some((m) => m.data.text === 'relayed'), 10000, 'the relayed message');
      const relayed = (await alice.messages()).find((m) => m.data.text === 'relayed');
      assert.equal(relayed.from, `bob-${run}`, 'the server names the sender');
      assert.equal(relayed.seq, null);
    } else {
      await bob.page.waitForFunction(() => document.getElementById('log').textContent.includes('relay_forbidden'));
    }

    // Presence from the panel.
    await page.fill('#presence-name', `bob-${run}`);
    await page.click('#lookup-uid');
    await page.waitForFunction(() => document.getElementById('presence-summary').textContent.includes('online'));
    assert.match(await page.textContent('#presence-summary'), /online \(1 client\) · seq 1 · acked 1 · unread 0/);
    assert.ok((await page.textContent('#presence-json')).includes(bobId));
    await page.fill('#presence-name', group);
    await page.click('#lookup-group');
    await page.waitForFunction((g) => document.getElementById('presence-summary').textContent.startsWith(g), group);
    assert.equal(await page.textContent('#presence-summary'), `${group}: 1 client, 1 uid (bob-${run})`);

    // A wrong key is shown as the API's answer, not swallowed.
    await page.fill('#api-key', 'not-the-key');
    await page.click('#lookup-stats');
    await page.waitForFunction(() => document.getElementById('presence-summary').textContent.startsWith('401'));
    await page.fill('#api-key', API_KEY);
    await page.click('#lookup-stats');
    await page.waitForFunction(() => /^\d+ clients? · /.test(document.getElementById('presence-summary').textContent));

    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.fill('#presence-name', `alice-${run}`);
      await page.click('#lookup-uid');
      await page.waitForFunction(() => document.getElementById('presence-summary').textContent.includes('online'));
      await page.screenshot({ path: join(SCREENSHOTS, 'demo.png'), fullPage: true });
      await bob.page.screenshot({ path: join(SCREENSHOTS, 'demo-second-page.png'), fullPage: true });
    }
    await alice.context.close();
    await bob.context.close();
  });

  test('on a phone-sized viewport the log scrolls itself, never the window; group pushes are not durable; reconnect now', { timeout: 120000 }, async () => {
    const uid = `phone-${run}`;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`${uid}: ${error.message}`));
    await page.goto(`${consoleUrl}?uid=${uid}`);
    await waitForState(page, 'connected');
    // Record the furthest the window ever scrolls.
    await page.evaluate(() => {
      window.maxScrollY = window.scrollY;
      addEventListener('scroll', () => { window.maxScrollY = Math.max(window.maxScrollY, window.scrollY); });
    });
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page opens at its top');
    const rows = async () => page.$$eval('#log li.msg', (all) => all.length);
    for (let n = 1; n <= 30; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => await rows() === 30, 15000, '30 messages in the log');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.maxScrollY), 0, 'the window never scrolled');
    const log = () => page.$eval('#log', (l) => ({ top: l.scrollTop, height: l.scrollHeight, view: l.clientHeight }));
    let shown = await log();
    assert.ok(shown.height > shown.view, 'the log overflows (it has something to scroll)');
    assert.ok(shown.top + shown.view >= shown.height - 8, 'a reader at the bottom of the log follows new rows');

    // A reader who scrolled the log up keeps reading there.
    await page.$eval('#log', (l) => { l.scrollTop = 0; });
    for (let n = 31; n <= 35; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => await rows() === 35, 15000, '35 messages in the log');
    shown = await log();
    assert.equal(shown.top, 0, 'the log did not jump back to the end');
    assert.equal(await page.evaluate(() => window.maxScrollY), 0, 'the window never scrolled');
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-phone.png') });
    }

    // "durable" applies to uids only: unchecked for a group, the uid's choice back for a uid.
    assert.ok(await page.isChecked('#push-durable'));
    await page.check('input[name=target][value=group]');
    assert.equal(await page.isChecked('#push-durable'), false, 'a group push is not durable');
    assert.ok(await page.isDisabled('#push-durable'));
    await page.check('input[name=target][value=uid]');
    assert.ok(await page.isChecked('#push-durable'), 'the uid\'s choice is back');
    await page.uncheck('#push-durable');
    await page.check('input[name=target][value=all]');
    await page.check('input[name=target][value=uid]');
    assert.equal(await page.isChecked('#push-durable'), false, 'the uid\'s choice (unchecked) is back');

    // Reconnect now: a new connection at once, which resumes the stream.
    const before = await page.textContent('#client-id');
    await page.click('#reconnect');
    await page.waitForFunction((id) => document.getElementById('state').dataset.state === 'connected'
      && document.getElementById('client-id').textContent !== id, before, { timeout: 10000 });
    // Playwright scrolled the window to reach the controls it clicked: back to the top, and watch again.
    await page.evaluate(() => { scrollTo(0, 0); window.maxScrollY = 0; });
    await pushDurable(uid, { n: 36 }, `${uid}-36`, 30000);
    await until(async () => await rows() === 36, 15000, 'the message after the reconnect');
    assert.deepEqual((await logRows(page)).map((r) => r.seq), range(1, 36), 'every message once, in order');
    assert.equal(await page.evaluate(() => window.maxScrollY), 0, 'the window never scrolled');
    await context.close();
  });

  test('connections cut while pushes continue: every message once, in order', { timeout: 120000 }, async () => {
    const uid = `carol-${run}`;
    const carol = await openConsole(browser, consoleUrl, uid, errors);
    const total = 80;
    let cuts = 0;
    const pushing = (async () => {
      for (let n = 1; n <= total; n++) {
        await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
        if (n % 15 === 0) cuts += proxy.cut() > 0 ? 1 : 0; // cut every connection through the proxy
        await sleep(25);
      }
    })();
    await pushing;
    await until(async () => (await carol.durable()).length >= total, 60000, `all ${total} messages on the page`)
      .catch(() => { }); // the assertion below shows what is missing or repeated
    await sleep(500); // anything extra (a duplicate) would show up now
    assert.ok(cuts >= 4, `the connection was cut ${cuts} times`);
    assertExactlyOnceInOrder(await carol.durable(), total, 'after cuts');
    const welcomes = await carol.page.$$eval('#log li.welcome', (rows) => rows.length);
    assert.ok(welcomes >= 1 + cuts, `the page reconnected after every cut (${welcomes} welcomes)`);
    await carol.context.close();
  });

  test('a page reload resumes after the last processed message, without loss or repeat', { timeout: 120000 }, async () => {
    const uid = `erin-${run}`;
    const erin = await openConsole(browser, consoleUrl, uid, errors);
    for (let n = 1; n <= 10; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => (await erin.durable()).length === 10, 20000, 'the first 10 messages');
    const loads = new Set();
    const total = 40;
    const pushing = (async () => {
      for (let n = 11; n <= total; n++) {
        await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
        await sleep(20);
      }
    })();
    // Reload twice while the pushes go on; the page reconnects with ?uid= and resumes from localStorage.
    for (let i = 0; i < 2; i++) {
      await sleep(150);
      await erin.page.reload();
      await waitForState(erin.page, 'connected');
    }
    await pushing;
    await until(async () => (await erin.durable()).length >= total, 30000, `all ${total} messages`)
      .catch(() => { }); // the assertion below shows what is missing or repeated
    await sleep(500);
    const seen = await erin.durable();
    seen.forEach((m) => loads.add(m.load));
    assert.ok(loads.size >= 2, `the messages were seen by ${loads.size} page loads`);
    assertExactlyOnceInOrder(seen, total, 'across reloads');
    // The last page load shows only what it processed itself: it resumed, it did not start over.
    const rows = await logRows(erin.page);
    assert.ok(rows.length < total && rows[0].seq > 1, `the reloaded page starts after seq ${rows[0]?.seq - 1}`);
    await erin.context.close();
  });

  test('the chat room: join a room, see its history, say something, reload while it goes on: nothing lost, nothing twice', { timeout: 120000 }, async () => {
    const uid = `hana-${run}`;
    const room = `lobby-${run}`;
    for (let n = 1; n <= 3; n++) await pushDurableToGroup(room, { from: 'backend', text: `before ${n}`, n }, `${room}-${n}`, 30000);
    const hana = await openConsole(browser, consoleUrl, uid, errors);
    const page = hana.page;
    const chat = () => page.$$eval('#chat-log li', (rows) => rows.map((row) => ({
      seq: Number(row.dataset.seq), from: row.querySelector('.from').textContent, text: row.querySelector('.text').textContent,
    })));
    await page.fill('#api-key', API_KEY);
    await page.fill('#chat-room', room);
    await page.click('#chat-join');
    await page.waitForFunction(() => / is in /.test(document.getElementById('chat-status').textContent), null, { timeout: 10000 });
    assert.deepEqual((await chat()).map((m) => [m.seq, m.text]), [[1, 'before 1'], [2, 'before 2'], [3, 'before 3']], 'the history');
    assert.ok(new URL(page.url()).searchParams.get('room') === room, 'the room is kept in the address');

    // Said in the room from the page: a durable push, which comes back through the room's stream.
    for (const text of ['hello', 'anyone?']) {
      await page.fill('#chat-text', text);
      await page.click('#chat-say');
      await until(async () => (await chat()).some((m) => m.text === text), 10000, `"${text}" in the room`);
    }
    assert.deepEqual((await chat()).slice(3).map((m) => [m.seq, m.from, m.text]), [[4, uid, 'hello'], [5, uid, 'anyone?']]);

    // The backend goes on while the page reloads twice: the page joins again, and herald.js resumes the
    // room from where it was.
    const total = 25;
    const pushing = (async () => {
      for (let n = 6; n <= total; n++) {
        await pushDurableToGroup(room, { from: 'backend', text: `m${n}`, n }, `${room}-${n}`, 30000);
        await sleep(20);
      }
    })();
    for (let i = 0; i < 2; i++) {
      await sleep(150);
      await page.reload();
      await waitForState(page, 'connected');
    }
    await pushing;
    await until(async () => (await chat()).length >= total, 30000, `all ${total} messages in the room`)
      .catch(() => { }); // the assertions below show what is missing or repeated
    await sleep(500);
    assert.deepEqual((await chat()).map((m) => m.seq), range(1, total), 'the room after the reloads: every message once, in order');
    // What herald.js handed to the pages, across the three loads: every message after the history that the
    // first load showed, once each, in order; the last load resumed, it did not start over.
    const streamed = await hana.durable();
    assert.deepEqual(streamed.map((m) => m.seq), range(4, total), 'the stream across reloads: 4..25, each once');
    assert.ok(new Set(streamed.map((m) => m.load)).size >= 2, 'seen by more than one page load');
    const lastLoad = streamed.at(-1).load;
    assert.ok(streamed.find((m) => m.load === lastLoad).seq > 5, 'the last load resumed after its position');
    assert.ok(!(await page.textContent('#log')).includes('not_member'), 'no error about the resume before the join');
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'demo-chat.png'), fullPage: true });
    }
    await hana.context.close();
  });

  test('the server is killed and restarted while pushes continue: every message once, in order', { timeout: 300000, skip: CONTROL_URL ? false : 'HERALD_CONTROL_URL is not set: no way to restart the server' }, async () => {
    const uid = `dave-${run}`;
    const dave = await openConsole(browser, consoleUrl, uid, errors);
    const total = 40;
    let restart = null;
    const pushing = (async () => {
      for (let n = 1; n <= total; n++) {
        await pushDurable(uid, { n }, `${uid}-${n}`, 240000);
        if (n === 10) {
          // Kill (SIGKILL) and start again, in the background: the pushes go on and retry meanwhile.
          restart = fetch(new URL('restart', CONTROL_URL), { method: 'POST', signal: AbortSignal.timeout(240000) });
          await sleep(500);
        }
        await sleep(50);
      }
    })();
    await pushing;
    const answer = await restart;
    assert.equal(answer.status, 200, 'the server restarted: ' + (await answer.text()));
    await until(async () => (await dave.durable()).length >= total, 120000, `all ${total} messages after the restart`)
      .catch(() => { }); // the assertion below shows what is missing or repeated
    await sleep(500);
    assertExactlyOnceInOrder(await dave.durable(), total, 'across a server restart');
    const states = await dave.page.$$eval('#log li.state code', (rows) => rows.map((r) => r.textContent));
    assert.ok(states.some((s) => s.startsWith('disconnected')), 'the page saw the server go');
    await dave.context.close();
  });
});

if (skip) console.log(`# browser tests skipped: ${skip}`);
