'use strict';
// The reference peer of Herald's benchmark: the smallest useful push server on Node's `ws` package,
// one process, a map from uid to its sockets, and an HTTP push API. It speaks Herald's frame format
// ({"type":"message","id":…,"data":…}) so that the same load generator drives both.
//
//   node server.js [port] [host]           (default 8090 on 127.0.0.1)
//
//   ws://HOST:PORT/?uid=NAME               a client of uid NAME
//   POST /push/{uid}        {"data": …}    to every client of the uid            → 202 {"id":…}
//   POST /broadcast         {"data": …}    to every client (frame encoded once)  → 202 {"id":…}
//   POST /messages          {"to":{"uids":[…]},"data":…}  one frame to the uids' clients → 202 {"id":…}
//   POST /batch             {"messages":[{"uid":…,"data":…},…]}  each its own frame to its uid's clients
//                                                  → 202 {"messages":[{"id":…},…]}
//   GET  /stats                            {"clients":n,"uids":n}
//   POST /gc                               a full GC (with node --expose-gc), then process.memoryUsage()

const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || process.env.PORT || 8090);
const host = process.argv[3] || process.env.HOST || '127.0.0.1';
const MAX_BODY = 1 << 20;

const uids = new Map(); // uid -> Set<WebSocket>
let clients = 0;
let nextId = 0;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 65536 });

function send(ws, frame) {
  if (ws.readyState === 1) {
    ws.send(frame);
  }
}

function frameOf(data) {
  const id = (nextId++).toString(36);
  return { id, frame: '{"type":"message","id":"' + id + '","data":' + JSON.stringify(data) + '}' };
}

wss.on('connection', (ws, request) => {
  const uid = new URL(request.url, 'http://localhost').searchParams.get('uid');
  clients++;
  if (uid) {
    let set = uids.get(uid);
    if (!set) {
      set = new Set();
      uids.set(uid, set);
    }
    set.add(ws);
  }
  ws.send(JSON.stringify({ type: 'welcome', uid: uid || null }));
  ws.on('message', (message) => {
    let frame;
    try {
      frame = JSON.parse(message);
    } catch (e) {
      return;
    }
    if (frame && frame.type === 'ping') {
      send(ws, '{"type":"pong"}');
    }
  });
  ws.on('close', () => {
    clients--;
    if (uid) {
      const set = uids.get(uid);
      if (set) {
        set.delete(ws);
        if (set.size === 0) {
          uids.delete(uid);
        }
      }
    }
  });
  ws.on('error', () => {});
});

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req, res, then, field = 'data') {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) {
      chunks.push(chunk);
    }
  });
  req.on('end', () => {
    if (size > MAX_BODY) {
      answer(res, 413, { status: 413, code: 'body_too_large' });
      return;
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      answer(res, 400, { status: 400, code: 'bad_json' });
      return;
    }
    if (body === null || typeof body !== 'object' || !(field in body)) {
      answer(res, 400, { status: 400, code: 'bad_request' });
      return;
    }
    then(body);
  });
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path.startsWith('/push/')) {
    const uid = decodeURIComponent(path.substring('/push/'.length));
    readJson(req, res, (body) => {
      const { id, frame } = frameOf(body.data);
      const set = uids.get(uid);
      if (set) {
        for (const ws of set) {
          send(ws, frame);
        }
      }
      answer(res, 202, { id });
    });
  } else if (req.method === 'POST' && path === '/broadcast') {
    readJson(req, res, (body) => {
      const { id, frame } = frameOf(body.data);
      for (const set of uids.values()) {
        for (const ws of set) {
          send(ws, frame);
        }
      }
      answer(res, 202, { id });
    });
  } else if (req.method === 'POST' && path === '/messages') {
    readJson(req, res, (body) => {
      const list = body.to && Array.isArray(body.to.uids) ? body.to.uids : [];
      const { id, frame } = frameOf(body.data);
      for (const uid of list) {
        const set = uids.get(uid);
        if (set) {
          for (const ws of set) {
            send(ws, frame);
          }
        }
      }
      answer(res, 202, { id });
    });
  } else if (req.method === 'POST' && path === '/batch') {
    readJson(req, res, (body) => {
      const list = body.messages;
      // Every entry is checked before any is sent, as Herald does.
      if (!Array.isArray(list) || list.length === 0
          || !list.every((m) => m !== null && typeof m === 'object' && typeof m.uid === 'string' && 'data' in m)) {
        answer(res, 400, { status: 400, code: 'bad_request' });
        return;
      }
      const ids = new Array(list.length);
      for (let i = 0; i < list.length; i++) {
        const { id, frame } = frameOf(list[i].data);
        const set = uids.get(list[i].uid);
        if (set) {
          for (const ws of set) {
            send(ws, frame);
          }
        }
        ids[i] = { id };
      }
      answer(res, 202, { messages: ids });
    }, 'messages');
  } else if (req.method === 'GET' && path === '/stats') {
    answer(res, 200, { clients, uids: uids.size });
  } else if (req.method === 'POST' && path === '/gc') {
    // For the memory figures: a full collection before reading RSS (node --expose-gc).
    if (global.gc) {
      global.gc();
    }
    answer(res, 200, process.memoryUsage());
  } else {
    answer(res, 404, { status: 404, code: 'not_found' });
  }
});
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;

server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});

server.listen(port, host, () => {
  console.log('reference peer listening on http://' + host + ':' + port + '/');
});

function stop() {
  server.close();
  for (const ws of wss.clients) {
    ws.terminate();
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
