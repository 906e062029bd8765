// @ts-check
// The node load driver: the same scenarios S1–S3 (and smoke), workloads, latency definitions,
// correctness check and JSON report as bench/CollabEdit.LoadDriver, against a ShareDB server
// (server.js) that it starts itself: in memory (NOT durable, the default) or on a PostgreSQL
// (--db postgres) it starts too, or is given (--pg-url, --pg-data); or, with --system
// collabedit, against CollabEdit (or the transport floor) with the same schedule and
// measurements and CollabEdit's own client library (lib/collab-client.js).
//
//   node driver.js S2 --json out.json        node driver.js --help
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LatencyHistogram, WindowMeter, judgeDriver, machineInfo, mib, now, processStats, recordRemoteLatency } from './lib/measure.js';
import { createDatabase, pin, postmasterPid, startPostgres } from './lib/postgres.js';
import { startCollabEdit } from './lib/collab-server.js';
import { planWorkloads } from './lib/plan.js';
import { joinSections } from './lib/workload.js';

const USAGE = `usage: node driver.js [SCENARIO] [options]
Scenarios (presets; options override them), as bench/CollabEdit.LoadDriver:
  S1     one doc, one client replaying automerge-paper as fast as acks allow
  S2     one doc, 50 clients at 10 edits/s each (trace slices), 20 s
  S3     one doc, 8 clients at 5,000 edits/s each: 40,000 edits/s offered (trace slices), 10 s
  smoke  2 docs x 3 clients typing at 20 edits/s for 3 s: convergence check only
  custom (default) 1 doc, 1 client, trace, as fast as acks allow, 10 s
Options: --docs N --clients N --rate R|max --duration S --warmup S --edits N
         --workload trace|random --trace NAME --slices from-start|consecutive --seed N --json PATH --quiet
         --drain-timeout S --url ws://HOST:PORT (a running server.js; --server-pid PID)
         --workers N (driver threads running the clients; default 2)
         --db memory|postgres (default memory: NOT durable; postgres: sharedb-postgres on a PostgreSQL
           this driver starts with scripts/postgres.sh, synchronous_commit on, and stops after)
         --pg-url postgres://USER@HOST:PORT/DB --pg-data DIR (use a running PostgreSQL instead: a fresh
           database is created in it; DIR gives the postmaster's pid for its CPU)
         --server-cpus LIST (start server.js, and a PostgreSQL it starts, under taskset -c LIST)
         --system sharedb|collabedit (default sharedb; collabedit: the same clients' schedule and
           measurements against CollabEdit through @microsoft/signalr + MessagePack and the
           browser's OT client; it starts src/Server/bin/Release (--server-dll PATH) on a fresh
           data folder, or --url http://HOST:PORT --server-pid PID for a running one or the floor)
Exit code: 0 converged, 1 did not converge or failed, 2 bad usage.`;

/** @typedef {import('./lib/plan.js').Settings} Settings */

/** @type {Record<string, Partial<Settings>>} */
const PRESETS = {
  S1: { scenario: 'S1', description: '1 doc, 1 client replaying automerge-paper as fast as acks allow', rate: null, durationSeconds: 0 },
  S2: { scenario: 'S2', description: '1 doc, 50 clients at 10 edits/s each', clientsPerDocument: 50, rate: 10, durationSeconds: 20, warmupSeconds: 5 },
  S3: { scenario: 'S3', description: '1 doc, 8 clients at 5,000 edits/s each (40,000 edits/s offered, open loop)', clientsPerDocument: 8, rate: 5000, durationSeconds: 10, warmupSeconds: 5 },
  SMOKE: {
    scenario: 'smoke', description: '2 docs x 3 clients typing at 20 edits/s for 3 s: convergence check',
    documents: 2, clientsPerDocument: 3, rate: 20, durationSeconds: 3, workload: 'random', drainTimeoutSeconds: 60, quiet: true,
  },
  CUSTOM: { scenario: 'custom', description: 'custom' },
};

class UsageError extends Error {}


/** @param {string[]} args @param {boolean} describe @returns {Settings} */
function parse(args, describe = true) {
  let i = 0;
  const name = args.length > 0 && !args[0].startsWith('-') ? args[i++] : 'custom';
  const preset = PRESETS[name.toUpperCase()];
  if (!preset) throw new UsageError(`Unknown scenario '${name}'.`);
  /** @type {Settings} */
  const s = {
    scenario: 'custom', description: 'custom', documents: 1, clientsPerDocument: 1, rate: null, durationSeconds: 10, warmupSeconds: 0,
    editsPerClient: null, workload: 'trace', trace: 'automerge-paper', slices: 'from-start', seed: 1, quiet: false, drainTimeoutSeconds: 120, workers: null,
    db: 'memory', system: 'sharedb', ...preset,
  };
  const value = (/** @type {string} */ option) => {
    if (i >= args.length) throw new UsageError(`${option} needs a value.`);
    return args[i++];
  };
  const number = (/** @type {string} */ option) => {
    const v = Number(value(option));
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${option} needs a number.`);
    return v;
  };
  while (i < args.length) {
    const option = args[i++];
    switch (option) {
      case '--docs': s.documents = Math.max(1, Math.floor(number(option))); break;
      case '--clients': s.clientsPerDocument = Math.max(1, Math.floor(number(option))); break;
      case '--rate': {
        const v = value(option);
        s.rate = v === 'max' ? null : Number(v);
        if (s.rate !== null && !(s.rate > 0)) throw new UsageError('--rate needs a positive number or max.');
        break;
      }
      case '--duration': s.durationSeconds = number(option); break;
      case '--warmup': s.warmupSeconds = number(option); break;
      case '--edits': s.editsPerClient = Math.floor(number(option)); break;
      case '--workload': {
        const v = value(option);
        if (v !== 'trace' && v !== 'random') throw new UsageError(`Unknown workload '${v}'.`);
        s.workload = v;
        break;
      }
      case '--trace': s.trace = value(option); break;
      case '--slices': {
        const v = value(option);
        if (v !== 'from-start' && v !== 'consecutive') throw new UsageError(`Unknown slice layout '${v}'.`);
        s.slices = v;
        break;
      }
      case '--seed': s.seed = Math.floor(number(option)); break;
      case '--json': s.json = path.resolve(value(option)); break;
      case '--quiet': s.quiet = true; break;
      case '--drain-timeout': s.drainTimeoutSeconds = number(option); break;
      case '--url': s.url = value(option); break;
      case '--server-pid': s.serverPid = Math.floor(number(option)); break;
      case '--workers': s.workers = Math.max(1, Math.floor(number(option))); break;
      case '--db': {
        const v = value(option);
        if (v !== 'memory' && v !== 'postgres') throw new UsageError(`Unknown database '${v}'.`);
        s.db = v;
        break;
      }
      case '--pg-url': s.pgUrl = value(option); break;
      case '--pg-data': s.pgData = value(option); break;
      case '--server-cpus': s.serverCpus = value(option); break;
      case '--server-dll': s.serverDll = path.resolve(value(option)); break;
      case '--system': {
        const v = value(option);
        if (v !== 'sharedb' && v !== 'collabedit') throw new UsageError(`Unknown system '${v}'.`);
        s.system = v;
        break;
      }
      default: throw new UsageError(`Unknown option '${option}'.`);
    }
  }
  if (s.rate === null && s.durationSeconds === 0 && s.workload === 'random' && s.editsPerClient === null) {
    throw new UsageError('Random typing never ends: give --duration or --edits.');
  }
  if (s.rate !== null && s.durationSeconds === 0 && s.editsPerClient === null) throw new UsageError('An open-loop run needs --duration or --edits.');
  if (!describe) return s;
  // The preset's description, plus what the command line changed in the load's shape (as CommandLine.cs).
  const defaults = parse([s.scenario], false);
  /** @type {[string, unknown, unknown, (v: any) => string][]} */
  const fields = [
    ['docs', s.documents, defaults.documents, String],
    ['clients per doc', s.clientsPerDocument, defaults.clientsPerDocument, String],
    ['rate', s.rate, defaults.rate, (v) => (v === null ? 'max' : `${v} edits/s`)],
    ['duration', s.durationSeconds, defaults.durationSeconds, (v) => `${v} s`],
    ['warm-up', s.warmupSeconds, defaults.warmupSeconds, (v) => `${v} s`],
    ['edits per client', s.editsPerClient, defaults.editsPerClient, (v) => (v === null ? 'default' : String(v))],
    ['workload', s.workload, defaults.workload, String],
    ['trace', s.trace, defaults.trace, String],
    ['slices', s.slices, defaults.slices, (v) => (v === 'from-start' ? 'FromStart' : 'Consecutive')],
  ];
  const changed = fields.filter(([, actual, original]) => actual !== original).map(([name, actual, , show]) => `${name} ${show(actual)}`);
  if (changed.length > 0) s.description = `${defaults.description} — changed: ${changed.join(', ')}`;
  return s;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(address.port));
    });
  });
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** PostgreSQLs this driver started, stopped on exit whatever happens. @type {Set<() => void>} */
const toStop = new Set();
process.on('exit', () => {
  for (const stop of toStop) stop();
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.once(signal, () => process.exit(130));

/**
 * Starts server.js on a free loopback port (its output to a log file), on its in-memory database
 * or on PostgreSQL: one this driver starts (stopped with the server) or the one at --pg-url.
 * @param {Settings} s
 */
async function startServer(s) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharedb-load-'));
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const args = [fileURLToPath(new URL('./server.js', import.meta.url)), '--port', String(port)];
  /** @type {import('./lib/postgres.js').Postgres | undefined} */
  let postgres;
  let description = 'started by the driver: node server.js, ShareDB default in-memory DB';
  if (s.db === 'postgres') {
    if (s.pgUrl) {
      const pid = s.pgData ? postmasterPid(s.pgData) : undefined;
      postgres = { url: s.pgUrl, dataDir: s.pgData, pid, owned: false, stop: () => {} };
    } else {
      postgres = startPostgres(s.serverCpus);
      toStop.add(postgres.stop);
    }
    const url = await createDatabase(postgres.url, `sharedb_load_${process.pid}_${Date.now()}`);
    args.push('--db', 'postgres', '--pg', url);
    description = `started by the driver: node server.js, sharedb-postgres on ${postgres.owned ? 'a PostgreSQL it started' : 'the PostgreSQL given'} (fresh database; synchronous_commit on)`;
  }
  if (s.serverCpus) description += `, pinned to CPU ${s.serverCpus} (taskset)`;
  const child = s.serverCpus
    ? spawn('taskset', ['-c', s.serverCpus, process.execPath, ...args], { stdio: ['ignore', log, log] })
    : spawn(process.execPath, args, { stdio: ['ignore', log, log] });
  const http = `http://127.0.0.1:${port}`;
  const deadline = now() + 30_000;
  while (now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server.js exited with ${child.exitCode}; see ${dir}/server.log`);
    try {
      if ((await fetch(`${http}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  if (postgres && !postgres.owned && s.serverCpus && postgres.pid) pin(postgres.pid, s.serverCpus);
  return {
    http, ws: `ws://127.0.0.1:${port}`, pid: child.pid, databasePid: postgres?.pid, description,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        let timer;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
      if (postgres) {
        postgres.stop();
        toStop.delete(postgres.stop);
      }
    },
  };
}

/**
 * A worker thread running some of the clients, with a way to wait for its next message of a type.
 * @param {object} data
 */
function startWorker(data) {
  const worker = new Worker(new URL('./lib/worker.js', import.meta.url), { workerData: data });
  /** @type {Map<string, any[]>} */
  const inbox = new Map();
  /** @type {Map<string, (message: any) => void>} */
  const waiting = new Map();
  /** @type {Error | undefined} */
  let crashed;
  const deliver = (/** @type {any} */ message) => {
    const waiter = waiting.get(message.type);
    if (waiter) {
      waiting.delete(message.type);
      waiter(message);
    } else {
      inbox.set(message.type, [...(inbox.get(message.type) ?? []), message]);
    }
  };
  worker.on('message', deliver);
  worker.on('error', (e) => {
    crashed = e;
    for (const type of ['ready', 'finished', 'allFinished', 'drained', 'result']) deliver({ type, error: String(e.stack ?? e) });
  });
  return {
    worker,
    post: (/** @type {any} */ message) => worker.postMessage(message),
    /** @param {string} type @returns {Promise<any>} */
    next(type) {
      const queued = inbox.get(type);
      if (queued && queued.length > 0) return Promise.resolve(queued.shift());
      if (crashed) return Promise.resolve({ type, error: String(crashed) });
      return new Promise((resolve) => waiting.set(type, resolve));
    },
  };
}

/** @param {Settings} s */
async function run(s) {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const { trace, perClient, workload } = planWorkloads(s);
  const wholeTraceAlone = trace !== undefined && s.clientsPerDocument === 1 && perClient === trace.patches.length;
  const sliceDescription = wholeTraceAlone ? 'whole trace'
    : s.clientsPerDocument === 1 ? 'a prefix'
      : s.slices === 'from-start' ? 'each client replays it from its start in its own section'
        : 'client k replays the k-th consecutive slice in its own section';
  const collab = s.system === 'collabedit';
  /** @type {{http: string, ws: string, pid?: number, databasePid?: number, description: string, token?: string, stop: (keep?: boolean) => Promise<void>, createDocument?: (title: string, text: string) => Promise<string>, state?: (id: string) => Promise<{version: number, text: string}>}} */
  const server = collab ? await startCollabEdit(s)
    : s.url ? { http: s.url.replace(/^ws/, 'http'), ws: s.url, pid: s.serverPid, databasePid: undefined, description: `running at ${s.url}`, stop: async () => {} }
      : await startServer(s);
  // ShareDB's server.js: POST /docs with the id, GET /docs/:id.
  const createDocument = server.createDocument ?? (async (/** @type {string} */ id, /** @type {string} */ text) => {
    const response = await fetch(`${server.http}/docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, text }) });
    if (response.status !== 201) throw new Error(`POST /docs answered ${response.status}: ${await response.text()}`);
    return id;
  });
  const documentState = server.state ?? (async (/** @type {string} */ id) => {
    const response = await fetch(`${server.http}/docs/${id}`);
    if (!response.ok) throw new Error(`GET /docs/${id} answered ${response.status}: ${await response.text()}`);
    return response.json();
  });
  const freshRss = server.pid ? processStats(server.pid)?.rssBytes : undefined;
  const totalClients = s.documents * s.clientsPerDocument;
  const workerCount = Math.max(1, Math.min(s.workers ?? 2, totalClients));
  const config = {
    documents: s.documents,
    clientsPerDocument: s.clientsPerDocument,
    rate: s.rate === null ? 'max (next edit on ack)' : `${s.rate} edits/s per client`,
    durationSeconds: s.durationSeconds,
    warmupSeconds: s.warmupSeconds,
    workload: trace ? `trace ${trace.name} (${sliceDescription})` : 'random typing',
    editsPerClient: Math.min(perClient, 2 ** 31 - 1),
    server: server.description,
  };
  /** @type {string[]} */
  const failures = [];
  /** @type {string[]} */
  const notes = [];
  const durable = collab || s.db === 'postgres';
  const base = { system: collab ? 'collabedit' : durable ? 'sharedb-postgres' : 'sharedb', driverName: 'node', scenario: s.scenario, description: s.description, durable, startedAt, machine, config };
  /** @type {ReturnType<typeof startWorker>[]} */
  const workers = [];
  try {
    // Documents, each made of one section per client.
    /** @type {string[]} */
    const documentIds = [];
    for (let d = 0; d < s.documents; d++) {
      const sections = Array.from({ length: s.clientsPerDocument }, (_, k) => workload(d, k).initialText);
      documentIds.push(await createDocument(`load-${s.scenario}-${d + 1}`, joinSections(sections)));
    }

    // Clients, dealt round-robin to the worker threads.
    /** @type {[number, number][][]} */
    const assignments = Array.from({ length: workerCount }, () => []);
    for (let i = 0; i < totalClients; i++) assignments[i % workerCount].push([Math.floor(i / s.clientsPerDocument), i % s.clientsPerDocument]);
    for (const assignment of assignments) workers.push(startWorker({ settings: s, ws: server.ws, documentIds, assignment, token: server.token }));
    for (const w of workers) {
      const ready = await w.next('ready');
      if (ready.error) throw new Error(`a worker failed to connect its clients: ${ready.error}`);
    }
    if (!s.quiet) console.error(`${totalClients} clients (in ${workerCount} worker threads) connected to ${s.documents} documents; running…`);
    const connectedRss = server.pid ? processStats(server.pid)?.rssBytes : undefined;

    // The load, on the clock every thread shares.
    const begin = now() + 200;
    const start = begin + s.warmupSeconds * 1000;
    for (const w of workers) w.post({ type: 'go', begin, start });
    await sleep(Math.max(0, start - now()));
    // Every process measured over the window only: from here (after the warm-up) to its close.
    const serverMeter = server.pid ? new WindowMeter(server.pid) : undefined;
    const databaseMeter = server.databasePid ? new WindowMeter(server.databasePid, { tree: true }) : undefined;
    const driverMeter = new WindowMeter(process.pid);
    const windowStart = start;
    if (s.durationSeconds > 0) {
      let timer;
      const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve({ type: 'deadline' }), s.durationSeconds * 1000)));
      const first = await Promise.race([deadline, ...workers.map((w) => w.next('finished'))]);
      clearTimeout(timer);
      if (first.type !== 'deadline' && !first.failed) notes.push('A client ran out of edits before the duration ended: the window closed then (use --edits).');
    } else {
      await Promise.all(workers.map((w) => w.next('allFinished')));
    }
    const windowEnd = now();
    for (const w of workers) w.post({ type: 'stop', end: windowEnd });
    const serverUsage = serverMeter?.stop();
    const databaseUsage = databaseMeter?.stop();
    const driverUsage = driverMeter.stop();
    const drained = await Promise.all(workers.map((w) => w.next('drained')));
    let windowSeconds = (windowEnd - windowStart) / 1000;
    if (s.durationSeconds === 0 && s.rate === null) {
      windowSeconds = (Math.max(windowStart, ...drained.map((m) => m.lastAck)) - windowStart) / 1000;
    }

    // Check: every client's text = the server's text = the expected sections (= endContent alone).
    /** @type {Record<string, {version: number, text: string}>} */
    const states = {};
    for (const id of documentIds) states[id] = await documentState(id);
    const versions = Object.fromEntries(documentIds.map((id) => [id, states[id].version]));
    for (const w of workers) w.post({ type: 'verify', versions });
    const results = await Promise.all(workers.map((w) => w.next('result')));
    for (const r of results) if (r.error) throw new Error(r.error);
    /** @type {any[]} */
    const clients = results.flatMap((r) => r.clients);
    let finalLength = 0;
    for (const [d, id] of documentIds.entries()) {
      const state = states[id];
      finalLength = Math.max(finalLength, state.text.length);
      const mine = clients.filter((c) => c.documentIndex === d).sort((a, b) => a.index - b.index);
      const expected = joinSections(mine.map((c) => c.expectedSection));
      if (mine.length !== s.clientsPerDocument) failures.push(`${id}: ${mine.length} of ${s.clientsPerDocument} clients reported`);
      if (state.text !== expected) failures.push(`${id}: the server's text (version ${state.version}, ${state.text.length} units) is not the expected text (${expected.length} units)`);
      if (wholeTraceAlone && trace && mine.every((c) => c.finishedWorkload) && state.text !== trace.endContent) {
        failures.push(`${id}: the trace replayed alone did not end at its endContent`);
      }
      for (const c of mine) {
        const who = `${id} client ${c.index + 1}`;
        if (c.failure) failures.push(`${who}: ${c.failure}`);
        else if (c.version !== state.version) failures.push(`${who}: at version ${c.version}, the server at ${state.version}`);
        else if (c.text !== state.text) failures.push(`${who}: its text differs from the server's`);
        if (c.unacknowledged !== 0) failures.push(`${who}: ${c.unacknowledged} edits never acknowledged`);
      }
    }
    const connections = {
      opened: clients.length,
      heldAtEnd: clients.filter((c) => c.connected).length,
      dropped: clients.filter((c) => c.failure === 'connection closed').length,
    };
    if (failures.length > 0) return { ...base, converged: false, failures: failures.slice(0, 20), notes };

    // Figures, from the workers' raw recordings.
    const ackLatency = new LatencyHistogram();
    const remoteLatency = new LatencyHistogram();
    const scheduleLag = new LatencyHistogram();
    for (const c of clients) {
      for (const ms of c.ackLatencies) ackLatency.record(0, ms);
      for (const ms of c.scheduleLags) scheduleLag.record(0, ms);
    }
    if (s.clientsPerDocument > 1) {
      for (let d = 0; d < s.documents; d++) recordRemoteLatency(clients.filter((c) => c.documentIndex === d), remoteLatency);
    }
    const editsAcked = clients.reduce((sum, c) => sum + c.editsAckedInWindow, 0);
    const commits = clients.reduce((sum, c) => sum + c.commitsInWindow, 0);
    const delivered = commits + clients.reduce((sum, c) => sum + c.remoteOpsInWindow, 0);
    const round = (/** @type {number} */ v, /** @type {number} */ digits) => Math.round(v * 10 ** digits) / 10 ** digits;
    const timerLag = s.rate === null ? undefined : scheduleLag.summarize();
    // On PostgreSQL the server's work is node's and the database's: the cost counts both.
    const costSeconds = serverUsage ? serverUsage.cpuSeconds + (databaseUsage?.cpuSeconds ?? 0) : undefined;
    const costCores = serverUsage ? round(serverUsage.cpuCores + (databaseUsage?.cpuCores ?? 0), 3) : undefined;
    const driverCores = driverUsage?.cpuCores ?? 0;
    if (databaseUsage) notes.push('server CPU per commit and per message count node and PostgreSQL (its postmaster and backends) together');
    const delays = results.map((r) => r.loopDelay);
    notes.push(`driver: ${workerCount} worker thread(s); event-loop delay p99 ${round(Math.max(...delays.map((x) => x.p99)), 2)} ms, max ${round(Math.max(...delays.map((x) => x.max)), 2)} ms (worst thread)`);
    return {
      ...base,
      converged: true,
      failures: [],
      windowSeconds: round(windowSeconds, 3),
      editsMade: clients.reduce((sum, c) => sum + c.editsMade, 0),
      editsAcked,
      commits,
      editsPerSecond: round(editsAcked / windowSeconds, 1),
      commitsPerSecond: round(commits / windowSeconds, 1),
      ackLatencyMs: ackLatency.summarize(),
      remoteLatencyMs: remoteLatency.summarize(),
      scheduleLagMs: timerLag,
      server: serverUsage,
      database: databaseUsage,
      driver: driverUsage,
      serverCost: {
        cpuMicrosPerCommit: costSeconds === undefined || commits === 0 ? undefined : round((costSeconds * 1e6) / commits, 1),
        cpuMicrosPerDeliveredMessage: costSeconds === undefined || delivered === 0 ? undefined : round((costSeconds * 1e6) / delivered, 1),
        deliveredMessages: delivered,
        freshRssMiB: freshRss === undefined ? undefined : mib(freshRss),
        connectedRssMiB: connectedRss === undefined ? undefined : mib(connectedRss),
        includesDatabase: databaseUsage !== undefined,
      },
      driverCheck: judgeDriver(timerLag, driverCores, costCores, server.pid),
      connections,
      finalLength,
      notes,
    };
  } catch (e) {
    failures.push(String(/** @type {Error} */ (e).stack ?? e));
    return { ...base, converged: false, failures, notes };
  } finally {
    for (const w of workers) w.post({ type: 'close' });
    await Promise.all(workers.map((w) => new Promise((resolve) => {
      const timer = setTimeout(() => w.worker.terminate().then(resolve), 2000);
      w.worker.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    })));
    await server.stop(failures.length > 0);
  }
}

/** @param {any} r */
function print(r) {
  const f = (/** @type {number | undefined} */ v) => (v === undefined ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100));
  const latency = (/** @type {any} */ l) => (l ? `${f(l.p50)} / ${f(l.p95)} / ${f(l.p99)} / ${f(l.max)} ms  (n = ${l.count.toLocaleString('en-US')})` : '—');
  console.log();
  console.log(`${r.system} ${r.scenario}: ${r.description}`);
  console.log(`  load: ${r.config.documents} doc(s) x ${r.config.clientsPerDocument} client(s), ${r.config.workload}, rate ${r.config.rate}, ${r.config.durationSeconds} s measured after ${r.config.warmupSeconds} s warm-up, up to ${r.config.editsPerClient.toLocaleString('en-US')} edits per client`);
  console.log(`  server: ${r.config.server}${r.durable ? '' : ' — NOT durable: acks come before anything is on disk'}`);
  console.log(`  machine: ${r.machine.cpu}, ${r.machine.cores} cores; ${r.machine.os}, Linux ${r.machine.kernel}; ${r.machine.runtime}; load average at start ${r.machine.loadAverageAtStart}`);
  if (!r.converged) {
    console.log('  FAILED: the run did not converge; no figures.');
    for (const failure of r.failures) console.log(`    ${failure}`);
    return;
  }
  const rows = [
    ['window', `${f(r.windowSeconds)} s`],
    ['edits acked/s', `${f(r.editsPerSecond)}  (${r.editsAcked.toLocaleString('en-US')} edits; ${r.editsMade.toLocaleString('en-US')} made in all)`],
    ['commits/s', `${f(r.commitsPerSecond)}  (${r.commits.toLocaleString('en-US')} commits; ${r.commits ? f(r.editsAcked / r.commits) : '—'} edits per commit)`],
    ['ack latency p50/p95/p99/max', latency(r.ackLatencyMs)],
    ['remote latency p50/p95/p99/max', latency(r.remoteLatencyMs)],
    ...(r.scheduleLagMs ? [['driver schedule lag p99/max', `${f(r.scheduleLagMs.p99)} / ${f(r.scheduleLagMs.max)} ms`]] : []),
    ['connections opened/held/dropped', `${r.connections.opened} / ${r.connections.heldAtEnd} / ${r.connections.dropped}`],
    ['final text', `${r.finalLength.toLocaleString('en-US')} units (longest document)`],
    ...(r.server ? [['server CPU', `${f(r.server.cpuSeconds)} s = ${f(r.server.cpuCores)} cores over the window`], ['server RSS peak / at end (window)', `${f(r.server.peakRssMiB)} / ${f(r.server.rssMiB)} MiB`]] : []),
    ...(r.database ? [['PostgreSQL CPU', `${f(r.database.cpuSeconds)} s = ${f(r.database.cpuCores)} cores; RSS ${f(r.database.rssMiB)} MiB (all its processes)`]] : []),
    ['server CPU per commit / per message', `${f(r.serverCost.cpuMicrosPerCommit)} / ${f(r.serverCost.cpuMicrosPerDeliveredMessage)} µs  (${r.serverCost.deliveredMessages.toLocaleString('en-US')} messages delivered${r.serverCost.includesDatabase ? '; node + PostgreSQL' : ''})`],
    ['server RSS fresh / connected', `${f(r.serverCost.freshRssMiB)} / ${f(r.serverCost.connectedRssMiB)} MiB`],
    ...(r.driver ? [['driver CPU', `${f(r.driver.cpuSeconds)} s = ${f(r.driver.cpuCores)} cores (same machine)`]] : []),
    ['driver kept its schedule', r.driverCheck.driverBound
      ? `NO: driver-bound (${r.driverCheck.reasons.join('; ')}): these figures are the driver's limit, not the server's`
      : `yes (timer lag p99 ${f(r.driverCheck.timerLagMs?.p99)} ms, driver CPU ${f(r.driverCheck.cpuCores)} of ${r.driverCheck.coresAvailable} cores)`],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  for (const note of r.notes) console.log(`  note: ${note}`);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let settings;
  try {
    settings = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    console.error(USAGE);
    return 2;
  }
  const report = await run(settings);
  if (settings.json) {
    fs.mkdirSync(path.dirname(settings.json), { recursive: true });
    fs.writeFileSync(settings.json, JSON.stringify(report, null, 2));
  }
  if (settings.quiet) {
    console.log(report.converged
      ? `${report.scenario}: converged (${report.connections?.opened} clients, ${report.editsMade} edits, ${report.commits} commits)`
      : `${report.scenario}: FAILED: ${report.failures.join('; ')}`);
  } else {
    print(report);
  }
  return report.converged ? 0 : 1;
}

process.exitCode = await main();
