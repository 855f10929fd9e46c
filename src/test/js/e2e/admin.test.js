// The admin dashboard (admin.html) in a real headless Chromium, against Herald on a real server, with real
// clients: console pages (herald.js) in other browser contexts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_KEY, CHROMIUM, CHROMIUM_ARGS, HERALD_URL, QUERY_KEY, SCREENSHOTS,
  api, openConsole, skipReason, until, waitForState,
} from './support.js';

const skip = skipReason();
const run = Date.now().toString(36); // names unique to this run

/** Types a key into the page and uses it. */
async function useKey(page, key) {
  await page.fill('#admin-key', key);
  await page.click('#use-key');
}

/** Waits for a successful poll of the counts that started after now. */
async function polled(page, timeout = 15000) {
  await page.evaluate(() => { document.getElementById('poll-status').dataset.state = 'waiting'; });
  await page.waitForFunction(() => document.getElementById('poll-status').dataset.state === 'ok', null, { timeout });
}

const count = (page, name) => page.evaluate((n) => Number(document.getElementById('count-' + n).dataset.value), name);

async function searchFor(page, kind, name) {
  await page.selectOption('#search-kind', kind);
  await page.fill('#search-name', name);
  await page.evaluate(() => { document.getElementById('result').dataset.state = 'waiting'; });
  await page.click('#search');
  await page.waitForFunction(() => ['found', 'error'].includes(document.getElementById('result').dataset.state));
}

/** The client cards of the search result: [{id, session, cursor, text}]. */
function cards(page) {
  return page.$$eval('#result .client-card', (all) => all.map((card) => ({
    id: card.dataset.clientId,
    session: card.querySelector('code.json').textContent,
    cursor: card.querySelector('.cursor').textContent,
    text: card.textContent,
  })));
}

describe('the admin dashboard in Chromium', { skip: skip ?? false }, () => {
  let chromium;
  let browser;
  const errors = []; // uncaught exceptions in the pages: none is expected

  before(async () => {
    ({ chromium } = await import('playwright-core'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
  });

  after(async () => {
    await browser?.close();
    assert.deepEqual(errors, [], 'no uncaught exception in any page');
  });

  test('counts, rates, search, push, close, key refusals; client data is shown as text', { timeout: 180000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`admin: ${error.message}`));
    await page.goto(new URL('admin.html', HERALD_URL).href);
    assert.equal(await page.textContent('#api-url'), new URL('api/', HERALD_URL).href, 'the API is found relative to the page');
    assert.equal(await page.textContent('#poll-status'), 'waiting for a key');

    // A wrong key is refused, clearly; the right one starts the live counts.
    await useKey(page, 'not-a-key');
    await page.waitForFunction(() => document.getElementById('key-status').textContent.includes('refused this key (401'));
    await useKey(page, API_KEY);
    await polled(page);
    assert.equal(await page.textContent('#key-status'), '');
    assert.ok(!page.url().includes(API_KEY), 'the key is not in the address');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.admin.key')), API_KEY);
    assert.ok(!(await page.evaluate(() => Object.values(localStorage))).includes(API_KEY), 'the key is not in localStorage');

    // Real clients: two console pages of one uid and one of another (herald.js in other browser contexts).
    const clientsBefore = await count(page, 'clients');
    const uidsBefore = await count(page, 'uids');
    const ann = `ann-${run}`;
    const ben = `ben-${run}`;
    const ann1 = await openConsole(browser, HERALD_URL, ann, errors);
    const ann2 = await openConsole(browser, HERALD_URL, ann, errors);
    const ben1 = await openConsole(browser, HERALD_URL, ben, errors);
    const [ann1Id, ann2Id, benId] = await Promise.all([ann1, ann2, ben1].map((c) => c.page.textContent('#client-id')));
    await until(async () => await count(page, 'clients') === clientsBefore + 3
      && await count(page, 'uids') === uidsBefore + 2, 15000, 'the counts to show 3 more clients and 2 more uids');
    assert.ok(await count(page, 'nodes') >= 1);

    // A session holding HTML, and a group, set by the backend.
    const html = '<img src=x onerror="window.__injected=1"><b id="injected">bold</b>';
    assert.equal((await api.put(`clients/${ann1Id}/session`, { name: html, role: 'tester' })).status, 204);
    const group = `team-${run}`;
    assert.equal((await api.put(`groups/${group}/clients/${benId}`)).status, 204);

    // A uid: its clients with groups, session and cursor, and its durable stream.
    await until(async () => {
      await searchFor(page, 'uid', ann);
      const shown = await cards(page);
      return shown.length === 2 && shown.every((c) => c.cursor.endsWith('live'));
    }, 10000, 'both clients of the uid in the result, their replays done');
    const found = await cards(page);
    assert.deepEqual(found.map((c) => c.id).sort(), [ann1Id, ann2Id].sort());
    const annCard = found.find((c) => c.id === ann1Id);
    assert.deepEqual(JSON.parse(annCard.session), { name: html, role: 'tester' }, 'the session is shown as its JSON text');
    assert.ok(annCard.text.includes('<img src=x onerror='), 'the HTML is visible as text');
    assert.equal(await page.$('#result img'), null, 'no element was made from the session');
    assert.equal(await page.$('#injected'), null);
    assert.equal(await page.evaluate(() => window.__injected), undefined, 'no script from the session ran');
    assert.match(annCard.cursor, /^sent up to seq 0 · nothing acked yet · live$/);
    const stream = await page.$$eval('#result dl.details', (lists) => lists[0].textContent);
    assert.match(stream, /seq0acked0unread0/);
    assert.doesNotMatch(stream, /no stream yet/, 'the stream exists from the first client on');
    assert.match(await page.textContent('#result'), /Last stored messages \(0\)/);

    // Push a durable test message to the uid: both of its pages receive it, the other uid does not.
    await page.check('input[name=target][value=uid]');
    await page.fill('#push-name', ann);
    await page.fill('#push-data', '{"text":"from the admin page","n":1}');
    await page.click('#push');
    await page.waitForFunction(() => document.getElementById('push-result').textContent.startsWith('202'));
    assert.match(await page.textContent('#push-result'), /"seq":1/);
    for (const client of [ann1, ann2]) {
      await until(async () => (await client.durable()).length === 1, 10000, 'the pushed message on an ann page');
      assert.deepEqual((await client.durable())[0].data, { text: 'from the admin page', n: 1 });
    }
    // The clients acknowledge it; the search shows each one's cursor and the stored message.
    let seen = '';
    await until(async () => {
      await searchFor(page, 'uid', ann);
      const shown = await cards(page);
      const stream = await page.$$eval('#result dl.details', (lists) => lists[0].textContent);
      seen = JSON.stringify({ cursors: shown.map((c) => `${c.id}: ${c.cursor}`), stream });
      return shown.every((c) => c.cursor === 'sent up to seq 1 · acked 1 · live') && /seq1acked1unread0/.test(stream);
    }, 15000, () => `both cursors at seq 1, acked, and the stream acknowledged (stored in batches); last seen ${seen}`);
    assert.deepEqual(await page.$$eval('#result table.messages tbody tr', (rows) => rows.map((r) => r.dataset.seq)), ['1']);
    assert.match(await page.textContent('#result table.messages'), /"text":"from the admin page"/);

    // A group: its uids and clients; a client's Push… button aims the push form at that client.
    await searchFor(page, 'group', group);
    assert.deepEqual((await cards(page)).map((c) => c.id), [benId]);
    assert.match(await page.textContent('#result'), new RegExp(`group ${group} 1 client, 1 uid`));
    await page.click(`#result .client-card[data-client-id="${benId}"] button[data-action=push]`);
    assert.equal(await page.inputValue('#push-name'), benId);
    assert.ok(await page.isChecked('input[name=target][value=client]'));
    await page.fill('#push-data', '{"text":"to ben\'s client"}');
    await page.click('#push');
    await page.waitForFunction(() => document.getElementById('push-result').textContent.startsWith('202'));
    await until(async () => (await ben1.messages()).some((m) => m.data.text === 'to ben\'s client'), 10000, 'the message to ben\'s client');
    // To the group, then to everyone.
    await page.check('input[name=target][value=group]');
    await page.fill('#push-name', group);
    await page.fill('#push-data', '{"text":"to the group"}');
    await page.click('#push');
    await until(async () => (await ben1.messages()).some((m) => m.data.text === 'to the group'), 10000, 'the group message');
    await page.check('input[name=target][value=all]');
    assert.ok(await page.isDisabled('#push-name'));
    await page.fill('#push-data', '{"text":"to everyone"}');
    await page.click('#push');
    for (const client of [ann1, ann2, ben1]) {
      await until(async () => (await client.messages()).some((m) => m.data.text === 'to everyone'), 10000, 'the broadcast');
    }
    assert.ok(!(await ann1.messages()).some((m) => m.data.text === 'to the group' || m.data.text === 'to ben\'s client'));

    // The rates: messages out per second from successive samples, drawn on the canvas.
    await until(async () => Number(await page.getAttribute('#rate-out', 'data-value')) > 0, 15000, 'a rate of messages out');
    assert.match(await page.textContent('#rate-out'), /^\d+(\.\d)?\/s$/);
    await page.waitForFunction(() => Number(document.getElementById('rates').dataset.points) >= 2);
    const outPixels = await page.evaluate(() => {
      const canvas = document.getElementById('rates');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i] === 0x19 && pixels[i + 1] === 0x70 && pixels[i + 2] === 0x3a && pixels[i + 3] === 255) n++;
      }
      return n;
    });
    assert.ok(outPixels > 20, `the out line is drawn (${outPixels} pixels of its colour)`);

    // Close a client with a last message: it receives it, is closed for good, and leaves the result and counts.
    await searchFor(page, 'uid', ann);
    await page.click(`#result .client-card[data-client-id="${ann1Id}"] button[data-action=close]`);
    assert.equal(await page.inputValue('#close-id'), ann1Id);
    await page.fill('#close-data', '{"text":"bye"}');
    await page.click('#close');
    await page.waitForFunction(() => document.getElementById('close-result').textContent.startsWith('204'));
    await waitForState(ann1.page, 'closed');
    const states = await ann1.page.$$eval('#log li.state code', (rows) => rows.map((r) => r.textContent));
    assert.ok(states.some((s) => s.includes('code 4100')), `closed with 4100: ${states.join(' | ')}`);
    assert.ok((await ann1.messages()).some((m) => m.data.text === 'bye'), 'the last message arrived before the close');
    await page.waitForFunction((id) => {
      const shown = [...document.querySelectorAll('#result .client-card')].map((c) => c.dataset.clientId);
      return shown.length === 1 && !shown.includes(id);
    }, ann1Id, { timeout: 10000 });
    await until(async () => await count(page, 'clients') === clientsBefore + 2, 10000, 'the clients count to drop by one');
    await searchFor(page, 'client', ann1Id);
    assert.match(await page.textContent('#result'), /not connected|client_not_found/);

    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await searchFor(page, 'uid', ann);
      await page.screenshot({ path: join(SCREENSHOTS, 'admin.png'), fullPage: true });
    }

    // Errors of the counts' API back off, and the counts come back.
    await context.route('**/api/stats', (route) => route.fulfill({
      status: 503, contentType: 'application/json', body: '{"status":503,"code":"unavailable","message":"test outage"}',
    }));
    await page.waitForFunction(() => document.getElementById('poll-status').dataset.state === 'error', null, { timeout: 10000 });
    assert.match(await page.textContent('#poll-status'), /test outage; retrying in 4 s/);
    await context.unroute('**/api/stats');
    await polled(page, 20000);

    // A reload keeps the key (this tab's sessionStorage) and the counts go on.
    await page.reload();
    await polled(page);
    assert.equal(await page.inputValue('#admin-key'), API_KEY);

    // A key with the query scope only: the counts and look-ups work, actions say an admin key is required.
    if (QUERY_KEY) {
      await useKey(page, QUERY_KEY);
      await polled(page);
      await searchFor(page, 'uid', ann);
      assert.deepEqual((await cards(page)).map((c) => c.id), [ann2Id]);
      await page.check('input[name=target][value=uid]');
      await page.fill('#push-name', ann);
      await page.fill('#push-data', '{"text":"must not arrive"}');
      await page.click('#push');
      await page.waitForFunction(() => document.getElementById('push-result').dataset.ok === 'false');
      assert.match(await page.textContent('#push-result'), /^"push" scope required: this key lacks it/);
      await page.fill('#close-id', ann2Id);
      await page.fill('#close-data', '');
      await page.click('#close');
      await page.waitForFunction(() => document.getElementById('close-result').dataset.ok === 'false');
      assert.match(await page.textContent('#close-result'), /^"admin" scope required: this key lacks it/);
      assert.equal(await ann2.page.getAttribute('#state', 'data-state'), 'connected', 'the client was not closed');
      assert.ok(!(await ann2.messages()).some((m) => m.data.text === 'must not arrive'));
    }

    // Forget: the key leaves the tab, and the polling stops.
    await page.click('#forget-key');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('herald.admin.key')), null);
    assert.equal(await page.textContent('#poll-status'), 'waiting for a key');

    for (const client of [ann1, ann2, ben1]) await client.context.close();
    await context.close();
  });

  test("a group's durable stream: its epoch, last seq and newest stored messages (the history API)", { timeout: 60000 }, async () => {
    const group = `stream-${run}`;
    for (let n = 1; n <= 7; n++) {
      const answer = await api.post(`groups/${group}/messages`, { data: { text: '<b>kept</b>', n }, durable: true });
      assert.equal(answer.status, 202);
    }
    const history = (await api.get(`groups/${group}/messages?since=0&limit=1`)).json;
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`admin: ${error.message}`));
    await page.goto(new URL('admin.html', HERALD_URL).href);
    await useKey(page, API_KEY);

    await searchFor(page, 'group', group);
    assert.equal(await page.getAttribute('#result', 'data-state'), 'found');
    assert.match(await page.textContent('#result'), /Durable stream/);
    const stream = await page.$$eval('#result dl.details', (lists) => lists.at(-1).textContent);
    assert.ok(stream.includes(`epoch${history.epoch}`) && stream.includes('seq7'), stream);
    assert.deepEqual(await page.$$eval('#result table.messages tbody tr', (rows) => rows.map((r) => r.dataset.seq)),
      ['3', '4', '5', '6', '7'], 'the newest five, oldest first');
    assert.match(await page.textContent('#result table.messages'), /"text":"<b>kept<\/b>","n":7/);
    assert.equal(await page.$('#result table.messages b'), null, 'stored data is shown as text');

    // A group without durable messages has no stream yet.
    await searchFor(page, 'group', `quiet-${run}`);
    assert.match(await page.textContent('#result'), /\(no stream yet\)/);
    assert.match(await page.textContent('#result'), /Last stored messages \(0\)none stored/);
    await context.close();
  });

  test('first load, a refused key then a good one, a failed search not repeated, stale counts dimmed, who is online', { timeout: 180000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`admin: ${error.message}`));
    await page.goto(new URL('admin.html', HERALD_URL).href);

    // Empty required fields are not errors before the user has done anything.
    const border = (id) => page.$eval(id, (e) => getComputedStyle(e).borderTopColor);
    const plain = await border('#push-name'); // an optional field's border
    assert.equal(await border('#admin-key'), plain, 'the key field is not marked as an error');
    assert.equal(await border('#search-name'), plain, 'the search field is not marked as an error');
    assert.match(await page.textContent('#count-messagesIn >> xpath=../dt'), /client frames/, 'messages in are client frames');

    // A search with a refused key shows the refusal; once a good key is accepted, it goes away.
    await useKey(page, 'not-a-key');
    await searchFor(page, 'uid', 'anyone');
    assert.match(await page.textContent('#result'), /refused this key \(401/);
    await useKey(page, API_KEY);
    await polled(page);
    assert.equal(await page.textContent('#result'), '', 'the old 401 left the search panel');
    assert.equal(await page.textContent('#key-status'), '');

    // A failed search is not run again after an action.
    const missing = `gone-${run}`;
    let asked = 0;
    page.on('request', (request) => { if (request.url().includes(`/api/clients/${missing}`)) asked++; });
    await searchFor(page, 'client', missing);
    assert.equal(await page.getAttribute('#result', 'data-state'), 'error');
    await page.check('input[name=target][value=all]');
    await page.fill('#push-data', '{"text":"an action"}');
    await page.click('#push');
    await page.waitForFunction(() => document.getElementById('push-result').textContent.startsWith('202'));
    await page.waitForTimeout(1500);
    assert.equal(asked, 1, 'the failed search ran once');

    // Who is online: more uids than fit on a page (clients from 127.0.0.2, which has its own connection rate).
    const { WebSocket } = await import('ws');
    const wsBase = new URL('ws', HERALD_URL).href.replace(/^http/, 'ws');
    const prefix = `on-${run}-`;
    const names = Array.from({ length: 23 }, (_, i) => prefix + String(i).padStart(2, '0'));
    const sockets = [];
    for (const name of names) {
      const socket = new WebSocket(`${wsBase}?uid=${name}`, { localAddress: '127.0.0.2' });
      await new Promise((resolve, reject) => { socket.once('message', resolve); socket.once('error', reject); });
      sockets.push(socket);
      await new Promise((resolve) => setTimeout(resolve, 110));
    }
    const group = `crowd-${run}`;
    const firstId = await new Promise((resolve) => {
      const socket = new WebSocket(`${wsBase}?uid=${prefix}zz`, { localAddress: '127.0.0.2' });
      sockets.push(socket);
      socket.once('message', (data) => resolve(JSON.parse(String(data)).clientId));
    });
    assert.equal((await api.put(`groups/${group}/clients/${firstId}`)).status, 204);

    /** Every page of a list, following its Next button: [[names of page 1], [page 2], …]. */
    async function pages(list) {
      if (!(await page.isDisabled(`#${list} button.first`))) await page.click(`#${list} button.first`); // back to page 1
      await page.waitForFunction((l) => document.querySelector(`#${l} .page-label`).textContent === 'page 1', list);
      const all = [];
      for (let n = 1; ; n++) {
        all.push(await page.$$eval(`#${list} .names-list button`, (b) => b.map((e) => e.textContent)));
        if (await page.isDisabled(`#${list} button.next`)) return all;
        await page.click(`#${list} button.next`);
        await page.waitForFunction(([l, k]) => document.querySelector(`#${l} .page-label`).textContent === `page ${k}`, [list, n + 1]);
      }
    }
    await until(async () => (await pages('online-uids')).flat().filter((n) => n.startsWith(prefix)).length === 24, 20000, 'the 24 uids in the list');
    const uidPages = await pages('online-uids');
    assert.ok(uidPages.length >= 2 && uidPages[0].length === 20, `pages of 20: ${uidPages.map((p) => p.length)}`);
    const listed = uidPages.flat();
    assert.deepEqual(listed, [...listed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'in name order');
    assert.equal(new Set(listed).size, listed.length, 'each uid once');
    // The page polls every 2 s: the group joined above shows at its next poll.
    await until(async () => (await pages('online-groups')).flat().includes(group), 20000, 'the group in the list');

    // A name in the list is a search link.
    await page.click(`#online-groups .names-list button[data-name="${group}"]`);
    await page.waitForFunction((g) => document.getElementById('result').dataset.name === g && document.getElementById('result').dataset.state === 'found', group);

    // Live: the uids leave the list when their clients close.
    for (const socket of sockets) socket.close();
    await until(async () => !(await pages('online-uids')).flat().some((n) => n.startsWith(prefix)), 20000, 'the uids to leave the list');

    // While the server does not answer, the counts are dimmed; they come back when it answers again.
    await context.route('**/api/stats', (route) => route.fulfill({
      status: 503, contentType: 'application/json', body: '{"status":503,"code":"unavailable","message":"test outage"}',
    }));
    await page.waitForFunction(() => document.querySelector('.live-body').dataset.stale === 'true', null, { timeout: 10000 });
    assert.ok(Number(await page.$eval('.counts', (e) => getComputedStyle(e).opacity)) < 1, 'dimmed');
    await context.unroute('**/api/stats');
    await polled(page, 20000);
    assert.equal(await page.$eval('.live-body', (e) => e.dataset.stale), 'false');
    assert.equal(Number(await page.$eval('.counts', (e) => getComputedStyle(e).opacity)), 1);
    await context.close();
  });
});

if (skip) console.log(`# admin browser tests skipped: ${skip}`);
