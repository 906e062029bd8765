// @ts-check
// The ShareDB peer's server: ShareDB 7 with the ot-text-unicode type and in-process pub/sub, on
// one of two databases:
//   --db memory (default)  ShareDB's DEFAULT IN-MEMORY DATABASE (MemoryDB). NOT DURABLE: an ack
//                          means the op is in this process's memory, nothing is written to disk.
//   --db postgres --pg URL sharedb-postgres 5.0.1 on the PostgreSQL at URL (postgres://…): an ack
//                          comes after the op's transaction has committed; durable when the
//                          server runs synchronous_commit = on and fsync = on, as the driver's does.
//                          Its tables (the package's structure.sql) are created at start.
//
//   node server.js --port 8080 [--db memory|postgres] [--pg URL]
//
// WebSocket (ShareDB protocol, JSON) on /, and for the driver's checks:
//   POST /docs {id, text}  creates a text-unicode document    GET /docs/:id → {id, version, text}
//   GET /healthz
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import ShareDB from 'sharedb';
import ShareDBPostgres from 'sharedb-postgres';
import pg from 'pg';
import WebSocketJSONStream from '@teamwork/websocket-json-stream';
import { WebSocketServer } from 'ws';
import otText from 'ot-text-unicode';

ShareDB.types.register(otText.type);
const COLLECTION = 'docs';

const option = (/** @type {string} */ name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dbKind = option('--db') ?? 'memory';
if (dbKind !== 'memory' && dbKind !== 'postgres') throw new Error(`--db memory|postgres, not ${dbKind}`);

/** sharedb-postgres' own schema (structure.sql in the package), applied once. @param {string} url */
async function createTables(url) {
  const require = createRequire(import.meta.url);
  const sql = fs.readFileSync(require.resolve('sharedb-postgres/structure.sql'), 'utf8');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let backend;
let described;
if (dbKind === 'postgres') {
  const url = option('--pg');
  if (!url) throw new Error('--db postgres needs --pg postgres://…');
  await createTables(url);
  const db = ShareDBPostgres({ connectionString: url });
  // sharedb-postgres 5.0.1 reads a snapshot's data as `row.data || undefined`, so an empty text
  // ("" in jsonb) comes back as no data at all; a text-unicode document's data is a string.
  const getSnapshot = db.getSnapshot.bind(db);
  db.getSnapshot = (/** @type {string} */ collection, /** @type {string} */ id, /** @type {any} */ fields, /** @type {any} */ options, /** @type {Function} */ callback) =>
    getSnapshot(collection, id, fields, options, (/** @type {any} */ err, /** @type {any} */ snapshot) => {
      if (snapshot && snapshot.type && snapshot.data === undefined) snapshot.data = '';
      callback(err, snapshot);
    });
  backend = new ShareDB({ db });
  described = 'ShareDB on PostgreSQL (sharedb-postgres)';
} else {
  backend = new ShareDB();
  described = 'ShareDB (in-memory, not durable)';
}

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
server.listen(port, '127.0.0.1', () => console.log(`${described} listening on http://127.0.0.1:${port}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    wss.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
