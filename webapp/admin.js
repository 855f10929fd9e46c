// The Herald admin dashboard (admin.html): live counts and rates, look-ups, and actions, all through the
// REST API. No framework and no chart library: a poll loop, a hand-drawn canvas, and DOM built with
// textContent only, so that names, sessions and messages (which clients and backends control) are
// always shown as text, never interpreted as HTML.

// Relative to the page, so that it works at the root and under any context path (/herald/).
const apiUrl = new URL('api/', new URL('.', location.href));
const KEY_STORAGE = 'herald.admin.key'; // sessionStorage only: gone when the tab closes, never in the URL
const POLL_MS = 2000;
const MAX_BACKOFF_MS = 30000;
const WINDOW_MS = 5 * 60 * 1000; // the rate chart's time span
const RECENT_MESSAGES = 5; // stored messages shown for a uid or a group
const MAX_CLIENTS_SHOWN = 50; // clients of a uid or group looked up one by one
const COLORS = { in: '#1f5fbf', out: '#19703a' }; // the chart's lines; admin.css gives the legend the same

const $ = (id) => document.getElementById(id);

let key = sessionStorage.getItem(KEY_STORAGE) ?? '';
let lastSearch = null; // {kind, name}: re-run after an action if it was found, so that the result shows its effect
const ONLINE_PAGE = 20; // names per page of the online lists

$('api-url').textContent = apiUrl.href;
$('admin-key').value = key;

// ---- the REST API ----

/** Calls the API with the key; resolves to {status, ok, json, scope} (scope: what a 403 says is missing). */
async function api(method, path, body) {
  if (!key) throw new Error('enter an API key first');
  let response;
  try {
    response = await fetch(new URL(path, apiUrl), {
      method,
      headers: { Authorization: 'Bearer ' + key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: AbortSignal.timeout(15000),
    });
  } catch (error) {
    throw new Error(`no answer from the server (${error.message ?? error})`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  const scope = /scope="([^"]*)"/.exec(response.headers.get('WWW-Authenticate') ?? '')?.[1] ?? null;
  return { status: response.status, ok: response.ok, json, scope };
}

/** A sentence for an API answer that is not a success: what went wrong and what to do. */
function explain(answer) {
  const code = answer.json?.code ?? '';
  if (answer.status === 401 && code === 'api_closed') {
    return 'The REST API is closed: the server has no API key configured (herald.api.keys).';
  }
  if (answer.status === 401) return 'The API refused this key (401 unauthorized): check it and enter it again.';
  if (answer.status === 403) {
    // Name the scope the server says is missing: a push needs "push", not an admin key.
    return answer.scope
      ? `"${answer.scope}" scope required: this key lacks it (403 forbidden). Use a key with the "${answer.scope}" scope.`
      : 'This key may not do this (403 forbidden). Use a key with the scopes query, push and admin.';
  }
  if (answer.status === 404 && code === 'client_not_found') return answer.json.message ?? 'the client is not connected';
  return `${answer.status} ${code}: ${answer.json?.message ?? JSON.stringify(answer.json)}`;
}

const isKeyProblem = (answer) => answer.status === 401 || answer.status === 403;

function showKeyProblem(text) {
  $('key-status').textContent = text;
  $('key-status').dataset.ok = text ? 'false' : '';
}

/** A key was accepted: refusals of an earlier key (in the search panel, under the actions) are old news. */
function clearKeyProblems() {
  for (const shown of document.querySelectorAll('[data-key-problem=true]')) {
    shown.replaceChildren();
    delete shown.dataset.keyProblem;
    delete shown.dataset.ok;
    if (shown.id === 'result') shown.dataset.state = 'idle';
  }
}

const segment = (name) => encodeURIComponent(name);

// ---- the key ----

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  key = $('admin-key').value.trim();
  if (key) sessionStorage.setItem(KEY_STORAGE, key); else sessionStorage.removeItem(KEY_STORAGE);
  showKeyProblem('');
  startPolling();
});

$('forget-key').addEventListener('click', () => {
  key = '';
  sessionStorage.removeItem(KEY_STORAGE);
  $('admin-key').value = '';
  stopPolling('waiting for a key');
  showKeyProblem('');
});

// ---- live counts and rates ----

let pollTimer = null;
let pollRun = 0; // a new run (a new key) makes the old run's pending answers obsolete
let failures = 0;
let accepted = false; // the current key has had a successful poll
let previous = null; // the last sample: {t, messagesIn, messagesOut}
const rates = []; // {t, in, out, gap}: gap marks a rate after missing samples (the line breaks there)

function stopPolling(text) {
  clearTimeout(pollTimer);
  pollTimer = null;
  pollRun++;
  setPollStatus('idle', text);
}

function startPolling() {
  stopPolling('loading…');
  failures = 0;
  accepted = false;
  previous = null;
  rates.length = 0;
  drawChart();
  if (key) poll(pollRun); else setPollStatus('idle', 'waiting for a key');
}

/** Polls again now (after an action), keeping the loop's rhythm otherwise. */
function pollSoon() {
  if (!pollTimer) return;
  clearTimeout(pollTimer);
  poll(pollRun);
}

async function poll(run) {
  pollTimer = null; // in flight: pollSoon() leaves it alone
  let delay = POLL_MS;
  try {
    const answer = await api('GET', 'stats');
    if (run !== pollRun) return;
    if (isKeyProblem(answer)) {
      showKeyProblem(explain(answer));
      stopPolling('stopped: the key was refused');
      return;
    }
    if (!answer.ok) throw new Error(explain(answer));
    failures = 0;
    if (!accepted) {
      accepted = true;
      clearKeyProblems();
    }
    setStale(false);
    showStats(answer.json);
    refreshOnline(run);
    setPollStatus('ok', `updated ${new Date().toLocaleTimeString()}, every ${POLL_MS / 1000} s`);
  } catch (error) {
    if (run !== pollRun) return;
    failures++;
    previous = null; // the next rate would span the outage
    setStale(true);
    delay = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** failures);
    setPollStatus('error', `${error.message ?? error}; retrying in ${Math.round(delay / 1000)} s`);
  }
  pollTimer = setTimeout(() => poll(run), delay);
}

/** Counts and rates from a server that does not answer are old: dim them until it answers again. */
function setStale(stale) {
  document.querySelector('.live-body').dataset.stale = String(stale);
}

function setPollStatus(state, text) {
  $('poll-status').dataset.state = state;
  $('poll-status').textContent = text;
}

function showStats(stats) {
  for (const name of ['nodes', 'clients', 'uids', 'groups', 'messagesIn', 'messagesOut', 'sendFailures',
    'slowConsumerCloses', 'heartbeatCloses']) {
    const cell = $('count-' + name);
    cell.textContent = typeof stats[name] === 'number' ? stats[name].toLocaleString('en') : '–';
    cell.dataset.value = stats[name] ?? '';
  }
  const now = performance.now();
  const sample = { t: now, messagesIn: stats.messagesIn, messagesOut: stats.messagesOut };
  // A counter that went down was reset (the node restarted, or another node answered): no rate from it.
  if (previous && sample.messagesIn >= previous.messagesIn && sample.messagesOut >= previous.messagesOut) {
    const seconds = (now - previous.t) / 1000;
    rates.push({
      t: now,
      in: (sample.messagesIn - previous.messagesIn) / seconds,
      out: (sample.messagesOut - previous.messagesOut) / seconds,
      gap: rates.length > 0 && now - rates.at(-1).t > 3 * POLL_MS,
    });
    while (rates.length > 0 && rates[0].t < now - WINDOW_MS) rates.shift();
    $('rate-in').textContent = formatRate(rates.at(-1).in);
    $('rate-out').textContent = formatRate(rates.at(-1).out);
    $('rate-in').dataset.value = rates.at(-1).in;
    $('rate-out').dataset.value = rates.at(-1).out;
  }
  previous = sample;
  drawChart();
}

const formatRate = (perSecond) => `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;

/** Two lines (in, out) over up to five minutes, on a scale rounded up to 1, 2 or 5 × 10^n. */
function drawChart() {
  const canvas = $('rates');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);

  const left = 44;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const top1 = niceCeiling(Math.max(1, ...rates.map((r) => Math.max(r.in, r.out))));
  const now = performance.now();
  // The time axis grows with the samples, from one minute up to the whole window.
  const span = Math.min(WINDOW_MS, Math.max(60000, rates.length ? now - rates[0].t : 0));
  const x = (t) => left + plotWidth * (1 - (now - t) / span);
  const y = (v) => top + plotHeight * (1 - v / top1);

  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#5a6275';
  g.strokeStyle = '#d6dae3';
  g.lineWidth = 1;
  g.textBaseline = 'middle';
  g.textAlign = 'right';
  for (const v of [0, top1 / 2, top1]) {
    g.beginPath();
    g.moveTo(left, Math.round(y(v)) + 0.5);
    g.lineTo(width - right, Math.round(y(v)) + 0.5);
    g.stroke();
    g.fillText(`${+v.toPrecision(3)}/s`, left - 6, y(v));
  }
  g.textBaseline = 'alphabetic';
  g.textAlign = 'left';
  g.fillText(span < 120000 ? `−${Math.round(span / 1000)} s` : `−${+(span / 60000).toFixed(1)} min`, left, height - 4);
  g.textAlign = 'right';
  g.fillText('now', width - right, height - 4);

  g.lineWidth = 2;
  g.lineJoin = 'round';
  for (const series of ['in', 'out']) {
    g.strokeStyle = COLORS[series];
    g.beginPath();
    rates.forEach((r, i) => {
      if (i === 0 || r.gap) g.moveTo(x(r.t), y(r[series])); else g.lineTo(x(r.t), y(r[series]));
    });
    if (rates.length === 1) g.lineTo(x(rates[0].t) - 2, y(rates[0][series])); // one sample: a dot
    g.stroke();
  }
  canvas.dataset.points = rates.length;
}

function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value);
}

window.addEventListener('resize', () => drawChart());

// ---- search ----

/** An element with text children (strings become text nodes: never parsed as HTML). */
function el(tag, className, ...children) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** A definition list of [term, description] pairs. */
function details(pairs) {
  return el('dl', 'details', ...pairs.map(([term, value]) => el('div', null, el('dt', null, term), el('dd', null, value))));
}

/** A button that runs a new search (a uid, a client, a group named in a result). */
function searchLink(kind, name) {
  const button = el('button', 'link', name);
  button.type = 'button';
  button.dataset.kind = kind;
  button.dataset.name = name;
  button.title = `look up ${kind} ${name}`;
  button.addEventListener('click', () => {
    $('search-kind').value = kind;
    $('search-name').value = name;
    search(kind, name);
  });
  return button;
}

const json = (value) => el('code', 'json', JSON.stringify(value));

function cursorText(cursor) {
  if (!cursor) return 'no stream (not bound to a uid)';
  const parts = [cursor.seq === null ? 'starting' : `sent up to seq ${cursor.seq}`,
    cursor.acked === null ? 'nothing acked yet' : `acked ${cursor.acked}`,
    cursor.replaying ? 'catching up' : 'live'];
  return parts.join(' · ');
}

/** Buttons that prefill the action forms for one client. */
function clientActions(clientId) {
  const push = el('button', 'small', 'Push…');
  push.type = 'button';
  push.dataset.action = 'push';
  push.addEventListener('click', () => {
    document.querySelector('input[name=target][value=client]').checked = true;
    targetChanged();
    $('push-name').value = clientId;
    $('push-data').focus();
  });
  const close = el('button', 'small', 'Close…');
  close.type = 'button';
  close.dataset.action = 'close';
  close.addEventListener('click', () => {
    $('close-id').value = clientId;
    $('close-data').focus();
  });
  return el('span', 'row-actions', push, close);
}

function clientCard(client) {
  const card = el('article', 'client-card',
    el('h4', null, searchLink('client', client.clientId), clientActions(client.clientId)),
    details([
      ['uid', client.uid === null ? '(none)' : searchLink('uid', client.uid)],
      ['groups', client.groups.length ? el('span', 'names', ...client.groups.map((group) => searchLink('group', group))) : '(none)'],
      ['session', json(client.session)],
      ['cursor', el('span', 'cursor', cursorText(client.cursor))],
    ]));
  card.dataset.clientId = client.clientId;
  return card;
}

async function searchUid(uid) {
  const answer = await api('GET', `uids/${segment(uid)}`);
  if (!answer.ok) return answer;
  const info = answer.json;
  const since = Math.max(0, info.seq - RECENT_MESSAGES);
  const [clients, history] = await Promise.all([
    Promise.all(info.clientIds.slice(0, MAX_CLIENTS_SHOWN).map((id) => api('GET', `clients/${segment(id)}`))),
    api('GET', `uids/${segment(uid)}/messages?since=${since}&limit=${RECENT_MESSAGES}`),
  ]);
  const cards = clients.filter((c) => c.ok).map((c) => clientCard(c.json)); // a client may have gone meanwhile
  const messages = history.ok ? history.json.messages : [];
  return {
    ok: true,
    view: [
      el('h3', null, 'uid ', el('span', 'name', info.uid), ' ',
        el('span', 'badge', info.online ? `online, ${plural(info.clientIds.length, 'client')}` : 'offline')),
      el('h4', null, 'Durable stream'),
      details([
        ['epoch', info.epoch ?? '(no stream yet)'],
        ['seq', String(info.seq)],
        ['acked', String(info.acked)],
        ['unread', String(info.unread)],
      ]),
      el('h4', null, `Clients (${info.clientIds.length})`),
      cards.length ? el('div', 'clients', ...cards) : el('p', 'hint', 'none online'),
      el('h4', null, `Last stored messages (${messages.length})`),
      messages.length ? messageTable(messages) : el('p', 'hint', history.ok ? 'none stored' : explain(history)),
    ],
  };
}

function messageTable(messages) {
  const rows = messages.map((m) => {
    const row = el('tr', null, el('td', null, String(m.seq)), el('td', null, new Date(m.createdAt).toLocaleString()),
      el('td', null, json(m.data)), el('td', 'id', m.id));
    row.dataset.seq = m.seq;
    return row;
  });
  return el('table', 'messages',
    el('thead', null, el('tr', null, el('th', null, 'seq'), el('th', null, 'stored'), el('th', null, 'data'), el('th', null, 'id'))),
    el('tbody', null, ...rows));
}

async function searchClient(clientId) {
  const answer = await api('GET', `clients/${segment(clientId)}`);
  if (!answer.ok) return answer;
  return { ok: true, view: [el('h3', null, 'client'), el('div', 'clients', clientCard(answer.json))] };
}

async function searchGroup(group) {
  const answer = await api('GET', `groups/${segment(group)}`);
  if (!answer.ok) return answer;
  const info = answer.json;
  const [clients, stream] = await Promise.all([
    Promise.all(info.clientIds.slice(0, MAX_CLIENTS_SHOWN).map((id) => api('GET', `clients/${segment(id)}`))),
    groupStream(group),
  ]);
  const cards = clients.filter((c) => c.ok).map((c) => clientCard(c.json));
  return {
    ok: true,
    view: [
      el('h3', null, 'group ', el('span', 'name', info.group), ' ',
        el('span', 'badge', `${plural(info.clientCount, 'client')}, ${plural(info.uidCount, 'uid')}`)),
      el('h4', null, 'uids'),
      info.uids.length ? el('p', 'names', ...info.uids.map((uid) => searchLink('uid', uid))) : el('p', 'hint', 'none'),
      el('h4', null, `Clients (${info.clientCount})`),
      cards.length ? el('div', 'clients', ...cards) : el('p', 'hint', 'none online'),
      ...streamView(stream),
    ],
  };
}

/**
 * A group's durable stream (GET /api/groups/{group}/messages): its epoch, last seq and newest stored
 * messages. The last seq comes with any page, so a first page of one finds where the newest ones start.
 */
async function groupStream(group) {
  const path = `groups/${segment(group)}/messages`;
  const head = await api('GET', `${path}?since=0&limit=1`);
  if (!head.ok || head.json.seq <= 1) return head;
  return api('GET', `${path}?since=${Math.max(0, head.json.seq - RECENT_MESSAGES)}&limit=${RECENT_MESSAGES}`);
}

function streamView(stream) {
  if (!stream.ok) return [el('h4', null, 'Durable stream'), el('p', 'hint', explain(stream))];
  const { epoch, seq, messages } = stream.json;
  return [
    el('h4', null, 'Durable stream'),
    details([
      ['epoch', epoch ?? '(no stream yet)'],
      ['seq', String(seq)],
    ]),
    el('h4', null, `Last stored messages (${messages.length})`),
    messages.length ? messageTable(messages) : el('p', 'hint', 'none stored'),
  ];
}

async function search(kind, name) {
  lastSearch = { kind, name };
  const result = $('result');
  result.dataset.state = 'loading';
  try {
    const outcome = await { uid: searchUid, client: searchClient, group: searchGroup }[kind](name);
    if (lastSearch?.kind !== kind || lastSearch?.name !== name) return; // a newer search has started
    delete result.dataset.keyProblem;
    if (outcome.ok) {
      result.replaceChildren(...outcome.view);
      result.dataset.state = 'found';
    } else {
      result.replaceChildren(el('p', 'result', explain(outcome)));
      result.firstChild.dataset.ok = 'false';
      result.dataset.state = 'error';
      if (isKeyProblem(outcome)) {
        result.dataset.keyProblem = 'true';
        showKeyProblem(explain(outcome));
      }
    }
  } catch (error) {
    result.replaceChildren(el('p', 'result', String(error.message ?? error)));
    result.firstChild.dataset.ok = 'false';
    result.dataset.state = 'error';
  }
  result.dataset.kind = kind;
  result.dataset.name = name;
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('search-name').value.trim();
  if (name) search($('search-kind').value, name);
});

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ---- actions ----

/** JSON if it parses, else the text itself: typing `hello` sends the string "hello". */
function parseData(text) {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('enter a message');
  try { return JSON.parse(trimmed); } catch { return trimmed; }
}

function showResult(id, ok, text, keyProblem = false) {
  $(id).textContent = text;
  $(id).dataset.ok = ok;
  if (keyProblem) $(id).dataset.keyProblem = 'true'; else delete $(id).dataset.keyProblem;
}

function targetChanged() {
  const target = document.querySelector('input[name=target]:checked').value;
  $('push-durable').disabled = target !== 'uid';
  $('push-name').disabled = target === 'all';
}

for (const radio of document.querySelectorAll('input[name=target]')) radio.addEventListener('change', targetChanged);

$('push-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const target = document.querySelector('input[name=target]:checked').value;
  const name = $('push-name').value.trim();
  try {
    const body = { data: parseData($('push-data').value) };
    let path = 'broadcast';
    if (target !== 'all') {
      if (!name) throw new Error(`enter the ${target === 'client' ? 'clientId' : target} to push to`);
      path = `${target === 'client' ? 'clients' : target + 's'}/${segment(name)}/messages`;
      if (target === 'uid') body.durable = $('push-durable').checked;
    }
    showResult('push-result', '', 'Pushing…');
    const answer = await api('POST', path, body);
    showResult('push-result', answer.ok, answer.ok ? `${answer.status} ${JSON.stringify(answer.json)}` : explain(answer), isKeyProblem(answer));
    if (answer.ok) afterAction();
  } catch (error) {
    showResult('push-result', false, String(error.message ?? error));
  }
});

$('close-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const clientId = $('close-id').value.trim();
  try {
    if (!clientId) throw new Error('enter the clientId to close');
    const last = $('close-data').value.trim();
    showResult('close-result', '', 'Closing…');
    const answer = await api('DELETE', `clients/${segment(clientId)}`, last ? { data: parseData(last) } : undefined);
    showResult('close-result', answer.ok, answer.ok
      ? `${answer.status}: ${clientId} closed (code 4100)${last ? ' after its last message' : ''}` : explain(answer), isKeyProblem(answer));
    if (answer.ok) afterAction();
  } catch (error) {
    showResult('close-result', false, String(error.message ?? error));
  }
});

/** The counts and the search result show the action's effect (a search that failed is not repeated). */
function afterAction() {
  pollSoon();
  if (lastSearch && $('result').dataset.state === 'found') {
    const { kind, name } = lastSearch;
    setTimeout(() => {
      if (lastSearch?.kind === kind && lastSearch?.name === name) search(kind, name);
    }, 300);
  }
}

// ---- who is online: paged lists of uids and groups (GET /api/uids, GET /api/groups) ----

// Per list: the `after` of each page up to the one shown (the first page has none), and the next page's.
const online = {
  uids: { pages: [null], next: null, box: $('online-uids'), kind: 'uid' },
  groups: { pages: [null], next: null, box: $('online-groups'), kind: 'group' },
};

/** Refreshes the page shown of both lists; called with each successful poll of the counts. */
function refreshOnline(run) {
  for (const list of Object.values(online)) loadPage(list, run);
}

async function loadPage(list, run = pollRun) {
  const after = list.pages.at(-1);
  const path = `${list.box.dataset.kind}?limit=${ONLINE_PAGE}` + (after === null ? '' : `&after=${segment(after)}`);
  const status = list.box.querySelector('.list-status');
  let answer;
  try {
    answer = await api('GET', path);
  } catch (error) {
    if (run === pollRun) status.textContent = String(error.message ?? error);
    return;
  }
  if (run !== pollRun || list.pages.at(-1) !== after) return; // another key or another page meanwhile
  if (!answer.ok) {
    status.textContent = explain(answer);
    return;
  }
  const names = answer.json[list.box.dataset.kind];
  list.next = answer.json.next;
  list.box.querySelector('.names-list').replaceChildren(...names.map((name) => el('li', null, searchLink(list.kind, name))));
  list.box.querySelector('.page-label').textContent = `page ${list.pages.length}`;
  status.textContent = names.length === 0 ? (list.pages.length > 1 ? 'no more' : 'none online') : '';
  list.box.querySelector('.next').disabled = list.next === null;
  list.box.querySelector('.first').disabled = list.pages.length === 1;
  list.box.dataset.count = names.length;
}

for (const list of Object.values(online)) {
  list.box.querySelector('.next').addEventListener('click', () => {
    if (list.next === null) return;
    list.pages.push(list.next);
    loadPage(list);
  });
  list.box.querySelector('.first').addEventListener('click', () => {
    list.pages = [null];
    loadPage(list);
  });
}

// ---- start ----

targetChanged();
drawChart();
if (key) startPolling();
