// End-to-end support: the server under test (from the environment), a TCP proxy that can cut connections,
// REST pushes that survive a server restart, and a browser page running the Herald console.
import { createServer, connect } from 'node:net';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createHmac } from 'node:crypto';

/** Set by BrowserIT (or by hand): where Herald runs, e.g. http://127.0.0.1:8580/herald/ */
export const HERALD_URL = process.env.HERALD_URL ?? null;
export const API_KEY = process.env.HERALD_API_KEY ?? 'test-key';
/** A key with the query scope only (BrowserIT configures it), for the admin page's refusals. */
export const QUERY_KEY = process.env.HERALD_QUERY_KEY ?? null;
/** POST {CONTROL}/restart kills the server (SIGKILL) and starts it again; answers when it is back. */
export const CONTROL_URL = process.env.HERALD_CONTROL_URL ?? null;
/** Debian's chromium package installs it here; HERALD_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOTS = process.env.HERALD_SCREENSHOTS ?? null;
/** The server's herald.relay.policy, as BrowserIT configured it ('none' when not told). */
export const RELAY_POLICY = process.env.HERALD_RELAY_POLICY ?? 'none';
/** The server's herald.token.hmac-secret, to sign client tokens (BrowserIT sets both), or null. */
export const TOKEN_SECRET = process.env.HERALD_TOKEN_SECRET ?? null;

/** Why the browser tests cannot run here, or null. */
export function skipReason() {
  if (!HERALD_URL) return 'HERALD_URL is not set: run these tests through BrowserIT (mvn verify), or set it to a running Herald';
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}: install Debian's chromium or set HERALD_CHROMIUM`;
  return null;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Launch flags for a root user on a machine without network access: nothing may phone home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * A TCP proxy on 127.0.0.1 in front of the server: the browser talks to Herald through it, and cut()
 * breaks every connection at once (no close handshake), as a network failure would. With refuseUpgrades,
 * it drops every connection whose first request asks for a WebSocket, as a proxy that does not pass
 * WebSockets may: the browser sees a failed open, and a plain request still reaches Herald.
 */
export async function startProxy(target, { refuseUpgrades = false } = {}) {
  const sockets = new Set();
  const relay = (downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [[downstream, upstream], [upstream, downstream]]) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => { sockets.delete(from); to.destroy(); });
    }
  };
  const server = createServer((downstream) => {
    if (!refuseUpgrades) {
      relay(downstream);
      return;
    }
    downstream.once('data', (first) => {
      if (/\r\nupgrade:[ \t]*websocket/i.test(first.toString('latin1'))) {
        downstream.destroy();
        return;
      }
      downstream.pause();
      downstream.unshift(first);
      relay(downstream);
    });
    downstream.on('error', () => downstream.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    /** The target URL with the proxy's port. */
    url: (path) => {
      const url = new URL(path, target);
      url.port = String(server.address().port);
      return url.href;
    },
    cut() {
      const count = sockets.size / 2;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    close: () => { for (const socket of sockets) socket.destroy(); return new Promise((resolve) => server.close(resolve)); },
  };
}

async function call(method, path, body, headers = {}) {
  const response = await fetch(new URL('api/' + path, HERALD_URL), {
    method,
    headers: { Authorization: 'Bearer ' + API_KEY, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body, headers) => call('POST', path, body, headers),
  put: (path, body) => call('PUT', path, body),
};

/**
 * A durable push that is retried, with the same Idempotency-Key, until it gets its 202: through a server
 * restart it is stored exactly once. Gives up after `deadlineMs`.
 */
export function pushDurable(uid, data, key, deadlineMs = 180000) {
  return pushStored(`uids/${encodeURIComponent(uid)}/messages`, { data }, key, deadlineMs);
}

/** The same for a group: stored once in the group's stream (`"durable": true`). */
export function pushDurableToGroup(group, data, key, deadlineMs = 180000) {
  return pushStored(`groups/${encodeURIComponent(group)}/messages`, { data, durable: true }, key, deadlineMs);
}

async function pushStored(path, body, key, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  let last = null;
  while (Date.now() < deadline) {
    try {
      const answer = await api.post(path, body, { 'Idempotency-Key': key });
      if (answer.status === 202) return answer.json;
      last = `${answer.status} ${JSON.stringify(answer.json)}`;
      if (answer.status < 500) throw new Error('push refused: ' + last);
    } catch (error) {
      if (String(error.message).startsWith('push refused')) throw error;
      last = String(error.cause?.code ?? error.message); // the server is down: connection refused
    }
    await sleep(200);
  }
  throw new Error(`push ${key} got no 202 within ${deadlineMs} ms; last: ${last}`);
}

/**
 * Records what the console page's application sees, across reloads: an init script watches the message
 * log and appends every new row to sessionStorage at once. sessionStorage is written synchronously and
 * survives a reload of the tab, so nothing a page saw just before a reload is missed (a report to the test
 * process over the DevTools protocol could be lost with the page that sent it).
 */
async function recordMessages(context) {
  await context.addInitScript(() => {
    const load = Math.random().toString(36).slice(2);
    const start = () => {
      const log = document.getElementById('log');
      if (!log) return;
      new MutationObserver((changes) => {
        const record = JSON.parse(sessionStorage.getItem('heraldTestRecord') ?? '[]');
        for (const change of changes) {
          for (const row of change.addedNodes) {
            if (!(row instanceof HTMLElement) || !row.classList.contains('msg')) continue;
            record.push({
              seq: row.dataset.seq === '' ? null : Number(row.dataset.seq),
              data: JSON.parse(row.querySelector('code').textContent),
              from: row.dataset.from ?? null,
              load,
            });
          }
        }
        sessionStorage.setItem('heraldTestRecord', JSON.stringify(record));
      }).observe(log, { childList: true });
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  });
}

/** What the page's application has seen so far (every load of the tab): [{seq, data, load}]. */
async function recorded(page) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await page.evaluate(() => JSON.parse(sessionStorage.getItem('heraldTestRecord') ?? '[]'));
    } catch (error) {
      if (attempt >= 50) throw error;
      await sleep(100); // the page is between two loads
    }
  }
}

/**
 * Opens the console as `uid` (the page connects at once with ?uid=) and waits until it is connected.
 * `pageScript`, if given, runs in every page of the context before the page's own scripts.
 */
export async function openConsole(browser, consoleUrl, uid, errors, pageScript = null) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  await recordMessages(context);
  if (pageScript) await context.addInitScript(pageScript);
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${uid}: ${error.message}`));
  const url = new URL(consoleUrl);
  url.searchParams.set('uid', uid);
  await page.goto(url.href);
  await waitForState(page, 'connected');
  return {
    context,
    page,
    messages: () => recorded(page),
    durable: async () => (await recorded(page)).filter((m) => m.seq !== null),
  };
}

export async function waitForState(page, state, timeout = 30000) {
  await page.waitForFunction((s) => document.getElementById('state')?.dataset.state === s, state, { timeout });
}

/** The rows of the page's message log: [{seq, data}]. */
export function logRows(page) {
  return page.$$eval('#log li.msg', (rows) => rows.map((row) => ({
    seq: row.dataset.seq === '' ? null : Number(row.dataset.seq),
    data: JSON.parse(row.querySelector('code').textContent),
    acked: row.classList.contains('acked'),
  })));
}

/**
 * Waits until check() is truthy, polling; bounded. `what` says what is awaited: a text, or a function that
 * returns one when the wait fails (so that it can tell what was seen last).
 */
export async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (; ;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await sleep(100);
  }
}

/** A client token (HS256 JWT) as the application's backend would sign it: the uid and the groups it joins. */
export function signToken(uid, groups, secret = TOKEN_SECRET) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const unsigned = part({ alg: 'HS256', typ: 'JWT' }) + '.'
    + part({ sub: uid, groups, exp: Math.floor(Date.now() / 1000) + 3600 });
  return unsigned + '.' + createHmac('sha256', secret).update(unsigned).digest('base64url');
}

/** The whole numbers from..to. */
export const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Every durable message once, in order: the seqs are 1..n and the data are the payloads pushed. */
export function assertExactlyOnceInOrder(seen, n, label) {
  assert.deepEqual(seen.map((m) => m.seq), range(1, n), `${label}: seqs 1..${n}, each once, in order`);
  assert.deepEqual(seen.map((m) => m.data.n), range(1, n), `${label}: payloads 1..${n}, each once, in order`);
}
