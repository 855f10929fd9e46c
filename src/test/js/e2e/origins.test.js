// herald.js from a page on another origin, in a real headless Chromium, against Herald on a real server:
// README's example (a static import of Herald's herald.js) works in development mode, and refused
// handshakes reach the page as `refused` events with the server's reason, without endless retries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { API_KEY, CHROMIUM, CHROMIUM_ARGS, CONTROL_URL, HERALD_URL, api, skipReason, sleep, until } from './support.js';

const skip = skipReason();
const run = Date.now().toString(36);

/**
 * The page another site would write: README's import, Herald's URL written in it. What the client sees
 * is kept in window.seen for the test to read. The query gives the identity: uid, token, or tokenFn (a
 * token function that returns that value).
 */
function page(heraldUrl) {
  const moduleUrl = new URL('herald.js', heraldUrl).href;
  const wsUrl = new URL('ws', heraldUrl).href.replace(/^http/, 'ws');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>another site</title><link rel="icon" href="data:,"></head>
<body><p>A page on another origin.</p>
<script type="module">
  import { Herald } from ${JSON.stringify(moduleUrl)};
  const query = new URLSearchParams(location.search);
  const options = { minDelay: 100, maxDelay: 400 };
  if (query.has('uid')) options.uid = query.get('uid');
  if (query.has('token')) options.token = query.get('token');
  if (query.has('tokenFn')) options.token = () => query.get('tokenFn');
  const seen = window.seen = { messages: [], refusals: [], states: [] };
  const herald = new Herald(${JSON.stringify(wsUrl)}, options);
  herald.on('message', ({ data }) => seen.messages.push(data));
  herald.on('refused', (refusal) => seen.refusals.push(refusal));
  herald.on('state', ({ state }) => seen.states.push(state));
</script></body></html>`;
}

/** This node's count of refused handshakes for one reason (GET /api/metrics). */
async function refusedCount(reason) {
  const response = await fetch(new URL('api/metrics', HERALD_URL), { headers: { Authorization: 'Bearer ' + API_KEY } });
  assert.equal(response.status, 200);
  const line = (await response.text()).split('\n').find((l) => l.startsWith(`herald_handshakes_refused_total{reason="${reason}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function restart(query) {
  const answer = await fetch(new URL('restart?' + query, CONTROL_URL), { method: 'POST', signal: AbortSignal.timeout(240000) });
  assert.equal(answer.status, 200, 'the server restarted: ' + (await answer.text()));
}

describe('herald.js on a page of another origin, in Chromium', { skip: skip ?? false }, () => {
  let chromium;
  let browser;
  let site; // the other origin: a local HTTP server on another port
  let siteUrl;
  const errors = [];

  before(async () => {
    ({ chromium } = await import('playwright-core'));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
    const html = page(HERALD_URL);
    site = createServer((request, response) => {
      if (new URL(request.url, 'http://x').pathname !== '/page.html') return response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    });
    await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${site.address().port}/page.html`;
    assert.notEqual(new URL(siteUrl).origin, new URL(HERALD_URL).origin, 'the page is on another origin');
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    assert.deepEqual(errors, [], 'no uncaught exception in any page');
  });

  async function open(query) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`${siteUrl}?${query}`);
    await tab.waitForFunction(() => window.seen !== undefined, null, { timeout: 10000 }); // the module loaded
    return { context, tab, seen: () => tab.evaluate(() => window.seen) };
  }

  test('README\'s import from another origin works, and the page receives a push (development mode)', { timeout: 60000 }, async () => {
    const uid = `far-${run}`;
    const { context, tab, seen } = await open(`uid=${uid}`);
    await tab.waitForFunction(() => window.seen.states.includes('connected'), null, { timeout: 15000 });
    const answer = await api.post(`uids/${uid}/messages`, { data: { text: 'from afar' } });
    assert.equal(answer.status, 202);
    await until(async () => (await seen()).messages.length === 1, 10000, 'the push on the other origin\'s page');
    assert.deepEqual((await seen()).messages, [{ text: 'from afar' }]);
    assert.deepEqual((await seen()).refusals, []);
    await context.close();
  });

  test('a bad token: a refused event with the server\'s code, one handshake, no retry', { timeout: 60000 }, async () => {
    const before = await refusedCount('token_invalid');
    const { context, tab, seen } = await open('token=forged');
    await tab.waitForFunction(() => window.seen.states.at(-1) === 'closed', null, { timeout: 15000 });
    const refusals = (await seen()).refusals;
    assert.equal(refusals.length, 1);
    assert.deepEqual([refusals[0].status, refusals[0].code, refusals[0].final], [401, 'token_invalid', true]);
    assert.match(refusals[0].message, /./);
    await sleep(2000); // minDelay is 100 ms: retries would show by now
    assert.equal(await refusedCount('token_invalid'), before + 1, 'one handshake was refused, and no other was tried');
    assert.equal((await seen()).states.filter((s) => s === 'connecting').length, 1);
    await context.close();

    // A token function gets one more chance with a fresh token, then the client stops.
    const again = await open('tokenFn=forged-too');
    await again.tab.waitForFunction(() => window.seen.states.at(-1) === 'closed', null, { timeout: 15000 });
    assert.deepEqual((await again.seen()).refusals.map((r) => [r.code, r.final]), [['token_invalid', false], ['token_invalid', true]]);
    await sleep(2000);
    assert.equal(await refusedCount('token_invalid'), before + 3, 'two more handshakes, then none');
    await again.context.close();
  });

  test('a forbidden origin: a refused event origin_not_allowed, one handshake, no retry', {
    timeout: 420000, skip: CONTROL_URL ? false : 'HERALD_CONTROL_URL is not set: no way to restart the server with an origin list',
  }, async () => {
    // Development mode accepts any origin unless herald.allowed-origins is set: set it, for this test.
    await restart('herald.allowed-origins=same-origin');
    try {
      const before = await refusedCount('origin_not_allowed');
      const { context, tab, seen } = await open(`uid=shut-out-${run}`);
      await tab.waitForFunction(() => window.seen.states.at(-1) === 'closed', null, { timeout: 15000 });
      const refusals = (await seen()).refusals;
      assert.deepEqual(refusals.map((r) => [r.status, r.code, r.final]), [[403, 'origin_not_allowed', true]]);
      await sleep(2000);
      assert.equal(await refusedCount('origin_not_allowed'), before + 1, 'one handshake, no retry');
      await context.close();
    } finally {
      await restart('herald.allowed-origins=');
    }
  });
});

if (skip) console.log(`# cross-origin browser tests skipped: ${skip}`);
