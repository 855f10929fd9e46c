// herald.js on the event stream door, in a real headless Chromium against Herald on a real server: a page
// without WebSocket, and a page behind a proxy that drops WebSocket upgrades.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHROMIUM, CHROMIUM_ARGS, CONTROL_URL, HERALD_URL, api, assertExactlyOnceInOrder, openConsole, pushDurable, skipReason, sleep, startProxy,
  until,
} from './support.js';

const skip = skipReason();
const run = Date.now().toString(36); // uids unique to this run

/** A browser without WebSocket (an old or locked-down one): herald.js must take the event stream at once. */
const noWebSocket = () => {
  delete window.WebSocket;
};

describe('herald.js falls back to the event stream', { skip: skip ?? false }, () => {
  let chromium;
  let browser;
  let proxy;
  let refusing;
  const errors = []; // uncaught exceptions in the pages: none is expected

  before(async () => {
    ({ chromium } = await import('playwright-core'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
    proxy = await startProxy(new URL(HERALD_URL));
    refusing = await startProxy(new URL(HERALD_URL), { refuseUpgrades: true });
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await refusing?.close();
    assert.deepEqual(errors, [], 'no uncaught exception in any page');
  });

  test('without WebSocket: durable messages arrive and are acknowledged over the event stream, across a server restart', { timeout: 300000 }, async () => {
    const uid = `frank-${run}`;
    const consoleUrl = proxy.url(new URL(HERALD_URL).pathname);
    const frank = await openConsole(browser, consoleUrl, uid, errors, noWebSocket);
    assert.equal(await frank.page.evaluate(() => typeof window.WebSocket), 'undefined');
    assert.equal(await frank.page.evaluate(() => window.herald.transport), 'sse');

    for (let n = 1; n <= 10; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => (await frank.durable()).length >= 10, 20000, 'the first 10 messages');
    await until(async () => (await api.get(`uids/${uid}`)).json.acked === 10, 20000, 'the acks, posted');

    const total = CONTROL_URL ? 30 : 20;
    let restart = null;
    for (let n = 11; n <= total; n++) {
      await pushDurable(uid, { n }, `${uid}-${n}`, 240000);
      if (n === 15 && CONTROL_URL) {
        // Kill (SIGKILL) and start again, in the background: the pushes go on and retry meanwhile.
        restart = fetch(new URL('restart', CONTROL_URL), { method: 'POST', signal: AbortSignal.timeout(240000) });
        await sleep(500);
      } else if (n === 15) {
        proxy.cut(); // without a way to restart the server, a broken connection at least
      }
      await sleep(50);
    }
    if (restart) {
      const answer = await restart;
      assert.equal(answer.status, 200, 'the server restarted: ' + (await answer.text()));
    }
    await until(async () => (await frank.durable()).length >= total, 120000, `all ${total} messages`)
      .catch(() => { }); // the assertion below shows what is missing or repeated
    await sleep(500); // anything extra (a duplicate) would show up now
    assertExactlyOnceInOrder(await frank.durable(), total, 'over the event stream');
    const states = await frank.page.$$eval('#log li.state code', (rows) => rows.map((r) => r.textContent));
    assert.ok(states.some((s) => s.startsWith('disconnected')), 'the page saw the connection go');
    assert.equal(await frank.page.evaluate(() => window.herald.transport), 'sse');
    await until(async () => (await api.get(`uids/${uid}`)).json.acked === total, 20000, 'every message acknowledged');
    await frank.context.close();
  });

  test('behind a proxy that drops WebSocket upgrades: the event stream after the failed opens; the page reload resumes', { timeout: 120000 }, async () => {
    const uid = `gina-${run}`;
    const consoleUrl = refusing.url(new URL(HERALD_URL).pathname);
    const gina = await openConsole(browser, consoleUrl, uid, errors);
    assert.equal(await gina.page.evaluate(() => window.herald.transport), 'sse');
    const refusedEvents = await gina.page.$$eval('#log li .tag', (tags) => tags.filter((t) => t.textContent === 'refused').length);
    assert.equal(refusedEvents, 0, 'a dropped upgrade is no refusal');

    for (let n = 1; n <= 5; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => (await gina.durable()).length >= 5, 20000, 'the first 5 messages');
    await gina.page.reload();
    await gina.page.waitForFunction(() => window.herald?.state === 'connected', null, { timeout: 60000 });
    for (let n = 6; n <= 10; n++) await pushDurable(uid, { n }, `${uid}-${n}`, 30000);
    await until(async () => (await gina.durable()).length >= 10, 20000, 'all 10 messages')
      .catch(() => { });
    await sleep(500);
    assertExactlyOnceInOrder(await gina.durable(), 10, 'across a reload, over the event stream');
    await gina.context.close();
  });
});

if (skip) console.log(`# browser tests skipped: ${skip}`);
