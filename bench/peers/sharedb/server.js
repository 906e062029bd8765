// @ts-check
// The ShareDB peer's server: ShareDB 7 with its DEFAULT IN-MEMORY DATABASE (MemoryDB) and
// in-process pub/sub. NOT DURABLE: an ack means the op is in this process's memory, nothing is
// written to disk. CollabEdit acks only after an fsync; every figure must say so.
//
//   node server.js --port 8080
//
// WebSocket (ShareDB protocol, JSON) on /, and for the driver's checks:
//   POST /docs {id, text}  creates a text-unicode document    GET /docs/:id → {id, version, text}
//   GET /healthz
import http from 'node:http';
import ShareDB from 'sharedb';
import WebSocketJSONStream from '@teamwork/websocket-json-stream';
import { WebSocketServer } from 'ws';
import otText from 'ot-text-unicode';

ShareDB.types.register(otText.type);
const COLLECTION = 'docs';
const backend = new ShareDB();

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8080;

/** @param {http.ServerResponse} res @param {number} status @param {unknown} body */
function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** @param {http.IncomingMessage} req @returns {Promise<any>} */
async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method === 'POST' && req.url === '/docs') {
      const { id, text } = await readJson(req);
      const connection = backend.connect();
      const doc = connection.get(COLLECTION, id);
      doc.create(text ?? '', otText.type.uri, (/** @type {any} */ err) => {
        connection.close();
        if (err) send(res, 409, { error: String(err.message ?? err) });
        else send(res, 201, { id, version: doc.version });
      });
      return;
    }
    const match = req.method === 'GET' && req.url?.match(/^\/docs\/([A-Za-z0-9_-]+)$/);
    if (match) {
      // A fresh server-side connection, so nothing cached: the database's current snapshot.
      const connection = backend.connect();
      const doc = connection.get(COLLECTION, match[1]);
      doc.fetch((/** @type {any} */ err) => {
        connection.close();
        if (err) send(res, 500, { error: String(err.message ?? err) });
        else if (!doc.type) send(res, 404, { error: 'not found' });
        else send(res, 200, { id: match[1], version: doc.version, text: doc.data });
      });
      return;
    }
    send(res, 404, { error: 'not found' });
  } catch (e) {
    send(res, 400, { error: String(e) });
  }
});

const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => backend.listen(new WebSocketJSONStream(ws)));
server.listen(port, '127.0.0.1', () => console.log(`ShareDB (in-memory, not durable) listening on http://127.0.0.1:${port}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    wss.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
