// The Herald console (index.html): a live client and a REST API panel. No framework: a few listeners.
import { Herald } from './herald.js';

// Every URL derives from the page's own location, so the page works at the root (the embedded run) and
// under a context path (a WAR deployed as herald.war is served at /herald/).
const base = new URL('.', location.href);
const wsUrl = new URL('ws', base);
wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
const apiUrl = new URL('api/', base);

const $ = (id) => document.getElementById(id);
const LOG_MAX = 1000; // entries kept on the page; older ones are removed so that the page stays fast
const CHAT_HISTORY = 50; // stored messages of a room shown when the page joins it

let herald = null;
let lastConnect = null; // {uid} or {token}: what "Reconnect now" uses once the client has closed for good
let pendingAck = []; // rows of durable messages not acknowledged yet, oldest first

$('ws-url').textContent = wsUrl.href;
$('api-url').textContent = apiUrl.href;
$('api-key').value = sessionStorage.getItem('herald.console.key') ?? '';

// ---- connection ----

function connect({ uid, token }) {
  if (herald) herald.close();
  lastConnect = { uid, token };
  pendingAck = [];
  const client = new Herald(wsUrl, uid ? { uid } : { token });
  herald = client;
  window.herald = client; // to try the API from the browser's developer console
  // Remember the uid in the address, so that a reload reconnects and resumes the same stream.
  const address = new URL(location.href);
  if (uid) address.searchParams.set('uid', uid); else address.searchParams.delete('uid');
  history.replaceState(null, '', address);

  client.on('state', ({ state, code, reason, delay }) => {
    if (client !== herald) return;
    showStatus();
    let text = state;
    if (state === 'disconnected') text += ` (code ${code ?? '–'}${reason ? ': ' + reason : ''}); retrying in ${delay} ms`;
    if (state === 'closed' && code) text += ` by the server (code ${code}${reason ? ': ' + reason : ''}); not reconnecting`;
    log('state', text);
    $('disconnect').disabled = state === 'closed';
  });
  // A refused handshake, with the server's reason (herald.js asks for it: a WebSocket only sees 1006).
  client.on('refused', ({ status, code, message, retryAfter, final }) => {
    const next = final ? 'not reconnecting' : retryAfter ? `retrying in ${retryAfter} s or later` : 'retrying';
    log('refused', `${status} ${code}: ${message}; ${next}`, 'warning');
  });
  client.on('welcome', ({ clientId, uid: bound, transport }) => {
    log('welcome', `clientId ${clientId}, uid ${bound ?? '(none)'}` + (transport === 'sse' ? ', over the event stream (no WebSocket)' : ''));
    // A new connection is in no group: the room is joined again, and herald.js resumes it from its position.
    if (chatRoom && client === herald) joinRoom(chatRoom);
  });
  client.on('replay', (r) => {
    const stream = r.group ? `group ${r.group}, stream` : 'stream';
    if (r.recovered) {
      const behind = r.seq == null ? 0 : Math.max(0, r.seq - r.since);
      log('replay', `${stream} ${r.epoch ?? '(new)'}: resuming after seq ${r.since}, ` + (behind ? `${plural(behind, 'message')} to catch up` : 'up to date'));
    } else {
      log('lost', `${r.group ? `group ${r.group}: ` : ''}history lost (${r.reason}): messages after seq ${r.previous ?? '?'} up to ${r.since} are gone; continuing after ${r.since}`, 'warning');
    }
  });
  client.on('message', ({ data, id, seq, from, group }) => {
    if (group !== undefined && group === chatRoom) showChat(seq, data);
    const row = log('message', JSON.stringify(data), seq == null ? 'plain' : 'durable');
    row.classList.add('msg');
    row.dataset.seq = seq ?? '';
    row.dataset.id = id ?? '';
    if (from) row.dataset.from = from;
    if (group !== undefined) row.dataset.group = group;
    const tag = row.querySelector('.tag');
    tag.textContent = group !== undefined ? `${group} seq ${seq}` : seq != null ? `seq ${seq}` : from ? `from ${from}` : 'message';
    // Only the uid's stream is acknowledged: a group's seq is this client's own position in that group.
    if (seq != null && group === undefined) {
      const ack = document.createElement('span');
      ack.className = 'ack';
      ack.textContent = 'not acked';
      row.append(ack);
      pendingAck.push(row);
    }
    showStatus();
  });
  client.on('ack', ({ seq }) => {
    while (pendingAck.length > 0 && Number(pendingAck[0].dataset.seq) <= seq) {
      const row = pendingAck.shift();
      row.classList.add('acked');
      row.querySelector('.ack').textContent = 'acked';
    }
    $('acked-seq').textContent = seq;
  });
  client.on('overflow', ({ data, reason }) => log('overflow', `not sent (${reason === 'closed' ? 'client closed' : 'queue full'}): ${JSON.stringify(data)}`, 'warning'));
  client.on('error', ({ source, code, message }) => log('error', `${source}: ${code ?? ''} ${message ?? ''}`, 'warning'));
  $('disconnect').disabled = false;
  $('reconnect').disabled = false;
  showStatus();
}

function showStatus() {
  const state = herald?.state ?? 'closed';
  $('state').textContent = herald ? state : 'not connected';
  $('state').dataset.state = state;
  $('client-id').textContent = herald?.clientId ?? '–';
  $('bound-uid').textContent = herald?.uid ?? '–';
  $('last-seq').textContent = herald?.seq ?? '–';
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const uid = $('uid').value.trim();
  const token = $('token').value.trim();
  if (!uid && !token) {
    log('error', 'give a uid (development mode) or a token', 'warning');
    $('uid').focus();
    return;
  }
  connect(token ? { token } : { uid });
});

$('disconnect').addEventListener('click', () => {
  herald?.close();
  const address = new URL(location.href);
  address.searchParams.delete('uid'); // a reload no longer reconnects
  history.replaceState(null, '', address);
  showStatus();
});

// Now, without waiting for the backoff; a client that has closed for good (refused, closed by the server)
// is replaced by a new one with the same uid or token.
$('reconnect').addEventListener('click', () => {
  if (!herald || !lastConnect) return;
  if (herald.state === 'closed') connect(lastConnect);
  else herald.reconnect();
});

$('send-to').addEventListener('change', () => { $('send-name').disabled = $('send-to').value === 'app'; });

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!herald || herald.state === 'closed') {
    $('send-result').textContent = 'Connect first.';
    return;
  }
  try {
    const to = $('send-to').value;
    const name = $('send-name').value.trim();
    if (to !== 'app' && !name) throw new Error(`enter the ${to} to send to`);
    const data = parseData($('send-data').value);
    const outcome = to === 'app' ? herald.send(data) : herald.sendTo({ [to]: name }, data);
    $('send-result').textContent = { sent: 'Sent.', queued: 'Queued until the connection is back.', dropped: 'Dropped: the queue is full.' }[outcome];
  } catch (error) {
    $('send-result').textContent = String(error.message ?? error);
  }
});

// ---- the chat room: a durable group ----

let chatRoom = null; // the room this page is in; kept in the address, so that a reload joins it again
const chatRows = new Map(); // seq -> row of the room's log: each message shown once, in seq order

/**
 * Joins this connection to the room (the REST API, as the application's backend would), shows the room's
 * last stored messages (its history), and has herald.js resume the room: from its own position when it
 * has been in the room before (a reload, a reconnect), else after the history just shown.
 */
async function joinRoom(room) {
  const status = $('chat-status');
  const client = herald;
  try {
    if (!client?.clientId) throw new Error('connect first');
    if (room !== chatRoom) {
      chatRoom = room;
      chatRows.clear();
      $('chat-log').replaceChildren();
      const address = new URL(location.href);
      address.searchParams.set('room', room);
      history.replaceState(null, '', address);
    }
    $('chat-say').disabled = false;
    status.textContent = `Joining ${room}…`;
    const joined = await api('PUT', `groups/${segment(room)}/clients/${segment(client.clientId)}`);
    if (!joined.ok) throw new Error(`${joined.status} ${JSON.stringify(joined.json)}`);
    const last = await showRoomHistory(room);
    if (client !== herald || room !== chatRoom) return; // another connection or room meanwhile
    client.resumeGroup(room, last ?? 0);
    status.textContent = `${client.clientId} is in ${room}` + (last == null ? ' (its history could not be read)' : '');
    status.dataset.ok = last != null;
  } catch (error) {
    status.textContent = String(error.message ?? error);
    status.dataset.ok = false;
  }
}

/** Shows the room's newest stored messages; returns the room's last seq, or null when it cannot be read. */
async function showRoomHistory(room) {
  const newest = await api('GET', `groups/${segment(room)}/messages?since=0&limit=1`);
  if (!newest.ok) return null;
  const since = Math.max(0, newest.json.seq - CHAT_HISTORY);
  const page = await api('GET', `groups/${segment(room)}/messages?since=${since}&limit=${CHAT_HISTORY}`);
  if (!page.ok) return null;
  if (room === chatRoom) for (const message of page.json.messages) showChat(message.seq, message.data);
  return newest.json.seq;
}

/** A message of the room, in seq order, once (the history and the stream may both bring it). */
function showChat(seq, data) {
  if (chatRows.has(seq)) return;
  const row = document.createElement('li');
  row.dataset.seq = seq;
  const number = document.createElement('span');
  number.className = 'seq';
  number.textContent = '#' + seq;
  const from = document.createElement('span');
  from.className = 'from';
  from.textContent = typeof data?.from === 'string' ? data.from : '';
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = typeof data?.text === 'string' ? data.text : JSON.stringify(data);
  row.append(number, from, text);
  chatRows.set(seq, row);
  const list = $('chat-log');
  const next = [...list.children].find((other) => Number(other.dataset.seq) > seq);
  const following = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
  list.insertBefore(row, next ?? null);
  if (following) list.scrollTop = list.scrollHeight;
}

$('chat-join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const room = $('chat-room').value.trim();
  if (room) joinRoom(room);
});

// Said in the room with a durable push (the REST API): stored in the room's stream, then delivered to
// every member, this page included.
$('chat-say-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = $('chat-say-result');
  try {
    if (!chatRoom) throw new Error('join a room first');
    const text = $('chat-text').value.trim();
    if (!text) throw new Error('enter a message');
    const answer = await api('POST', `groups/${segment(chatRoom)}/messages`,
      { data: { from: herald?.uid ?? herald?.clientId ?? 'someone', text }, durable: true });
    result.textContent = answer.ok ? '' : `${answer.status} ${JSON.stringify(answer.json)}`;
    result.dataset.ok = answer.ok;
    if (answer.ok) $('chat-text').value = '';
  } catch (error) {
    result.textContent = String(error.message ?? error);
    result.dataset.ok = false;
  }
});

// ---- the log ----

function log(kind, text, variant = kind) {
  const row = document.createElement('li');
  row.className = 'entry ' + variant;
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  const tag = document.createElement('span');
  tag.className = 'tag';
  tag.textContent = kind;
  const body = document.createElement('code');
  body.textContent = text;
  row.append(time, tag, body);
  const list = $('log');
  // Follow new rows only when the reader is at the bottom of the log, and scroll the log alone: scrolling
  // the row into view would move the whole window (on a phone, past the form being typed in).
  const following = list.scrollHeight - list.scrollTop - list.clientHeight < 8;
  list.append(row);
  while (list.childElementCount > LOG_MAX) list.firstElementChild.remove();
  if (following) list.scrollTop = list.scrollHeight;
  return row;
}

$('clear-log').addEventListener('click', () => {
  $('log').replaceChildren();
  pendingAck = [];
});

// ---- REST API ----

async function api(method, path, body) {
  const key = $('api-key').value.trim();
  if (!key) throw new Error('enter the API key first');
  sessionStorage.setItem('herald.console.key', key);
  const response = await fetch(new URL(path, apiUrl), {
    method,
    headers: { Authorization: 'Bearer ' + key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: response.status, ok: response.ok, json };
}

const segment = (name) => encodeURIComponent(name);

$('push-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const target = new FormData(event.target).get('target');
  const name = $('push-name').value.trim();
  const result = $('push-result');
  try {
    const data = parseData($('push-data').value);
    let path;
    const body = { data };
    if (target === 'all') {
      path = 'broadcast';
    } else {
      if (!name) throw new Error(`enter the ${target} to push to`);
      path = target === 'uid' ? `uids/${segment(name)}/messages` : `groups/${segment(name)}/messages`;
      if (target === 'uid') body.durable = $('push-durable').checked;
    }
    result.textContent = 'Pushing…';
    const answer = await api('POST', path, body);
    result.textContent = `${answer.status} ${JSON.stringify(answer.json)}`;
    result.dataset.ok = answer.ok;
  } catch (error) {
    result.textContent = String(error.message ?? error);
    result.dataset.ok = false;
  }
});

// Only a push to a uid can be durable: for a group or everyone the box is unchecked (not just greyed out,
// which read as "durable"), and the uid's choice comes back with the uid. A push to everyone needs no name.
let durableForUid = $('push-durable').checked;
for (const radio of document.querySelectorAll('input[name=target]')) {
  radio.addEventListener('change', () => {
    const target = document.querySelector('input[name=target]:checked').value;
    const durable = $('push-durable');
    if (target === 'uid') durable.checked = durableForUid;
    else if (!durable.disabled) durableForUid = durable.checked;
    if (target !== 'uid') durable.checked = false;
    durable.disabled = target !== 'uid';
    $('push-name').disabled = target === 'all';
  });
}

$('join-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const group = $('join-group').value.trim();
  const result = $('join-result');
  try {
    if (!herald?.clientId) throw new Error('connect first');
    if (!group) throw new Error('enter a group name');
    const answer = await api('PUT', `groups/${segment(group)}/clients/${segment(herald.clientId)}`);
    result.textContent = answer.ok ? `${herald.clientId} joined ${group}` : `${answer.status} ${JSON.stringify(answer.json)}`;
    result.dataset.ok = answer.ok;
  } catch (error) {
    result.textContent = String(error.message ?? error);
    result.dataset.ok = false;
  }
});

$('presence-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const what = event.submitter?.value ?? 'uid';
  const name = $('presence-name').value.trim();
  const summary = $('presence-summary');
  const details = $('presence-json');
  try {
    if (what !== 'stats' && !name) throw new Error(`enter a ${what}`);
    const path = what === 'stats' ? 'stats' : `${what}s/${segment(name)}`;
    const answer = await api('GET', path);
    details.textContent = JSON.stringify(answer.json, null, 2);
    summary.textContent = answer.ok ? describe(what, answer.json) : `${answer.status}: ${answer.json?.message ?? ''}`;
  } catch (error) {
    summary.textContent = String(error.message ?? error);
    details.textContent = '';
  }
});

function describe(what, json) {
  if (what === 'uid') {
    return `${json.uid}: ${json.online ? `online (${plural(json.clientIds?.length ?? 0, 'client')})` : 'offline'}`
      + ` · seq ${json.seq} · acked ${json.acked} · unread ${json.unread}`;
  }
  if (what === 'group') {
    return `${json.group}: ${plural(json.clientCount, 'client')}, ${plural(json.uidCount, 'uid')}` + (json.uids?.length ? ` (${json.uids.join(', ')})` : '');
  }
  return `${plural(json.clients, 'client')} · ${plural(json.uids, 'uid')} · ${plural(json.groups, 'group')} · ${json.messagesIn} in · ${json.messagesOut} out`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** JSON if it parses, else the text itself: typing `hello` sends the string "hello". */
function parseData(text) {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('enter a message');
  try { return JSON.parse(trimmed); } catch { return trimmed; }
}

// A page opened (or reloaded) with ?uid=… connects at once and resumes that uid's stream; with ?room=…
// too, it joins that room again once connected (see the welcome listener).
const start = new URL(location.href).searchParams;
const startUid = start.get('uid');
if (start.get('room')) {
  chatRoom = start.get('room');
  $('chat-room').value = chatRoom;
  $('chat-say').disabled = false;
}
if (startUid) {
  $('uid').value = startUid;
  connect({ uid: startUid });
}
