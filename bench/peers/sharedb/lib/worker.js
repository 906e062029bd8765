// @ts-check
// A worker thread of the ShareDB driver: runs its share of the clients (one node thread could
// not keep up with 50 ShareDB clients each applying every op to the whole text), on the clock
// the main thread gives, and reports raw recordings for the main thread to add up.
import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CollabLoadClient } from './collab-client.js';
import { LoadClient } from './load-client.js';
import { now } from './measure.js';
import { planWorkloads } from './plan.js';
import { RunClock } from './run-clock.js';
import { marker } from './workload.js';

const LOOP_DELAY_RESOLUTION_MS = 2;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** @type {{settings: import('./plan.js').Settings, ws: string, documentIds: string[], assignment: [number, number][], token?: string}} */
const { settings: s, ws, documentIds, assignment, token } = workerData;
const { workload } = planWorkloads(s);
const clock = new RunClock();
// The same schedule and measurements for both servers; only the client library differs.
const clients = assignment.map(([d, k]) => (s.system === 'collabedit'
  ? new CollabLoadClient(d, k, marker(k, s.clientsPerDocument), workload(d, k), clock, token ?? '')
  : new LoadClient(d, k, marker(k, s.clientsPerDocument), workload(d, k), clock)));
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
let stopped = false;
let running = clients.length;
let reportedFinished = false;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {LoadClient | CollabLoadClient} client */
function finished(client) {
  running--;
  if (!reportedFinished) {
    reportedFinished = true;
    port.postMessage({ type: 'finished', failed: client.failure !== undefined });
  }
  if (running === 0) port.postMessage({ type: 'allFinished' });
}

/** Starts every client's loop: open loop at the rate, or the next edit on each ack. @param {number} begin */
function go(begin) {
  let seed = (s.seed * 31 + assignment.length) >>> 0;
  const phase = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (const client of clients) {
    if (s.rate !== null) {
      const interval = 1000 / s.rate;
      let due = begin + phase() * interval;
      const lags = client.scheduleLags;
      const tick = () => {
        if (stopped || !client.workload.hasNext || client.failure) return finished(client);
        const at = now();
        client.makeEdit();
        // Timer lag: how late the scheduled edit left (made and handed to the connection).
        if (clock.isMeasured(at)) lags.push(Math.max(0, now() - due));
        due += interval;
        setTimeout(tick, Math.max(0, due - now()));
      };
      setTimeout(tick, Math.max(0, due - now()));
    } else {
      const next = () => {
        if (stopped || !client.workload.hasNext || client.failure) return finished(client);
        client.makeEdit(next);
      };
      setTimeout(next, Math.max(0, begin - now()));
    }
  }
}

port.on('message', async (message) => {
  switch (message.type) {
    case 'go':
      clock.start = message.start;
      go(message.begin);
      setTimeout(() => loopDelay.enable(), Math.max(0, message.start - now()));
      break;
    case 'stop': {
      clock.end = message.end;
      stopped = true;
      loopDelay.disable();
      const deadline = now() + s.drainTimeoutSeconds * 1000;
      /** @type {string[]} */
      const failures = [];
      for (const client of clients) {
        if (client.failure) continue;
        try {
          await client.whenNothingPending(Math.max(0, deadline - now()));
        } catch (e) {
          client.fail(/** @type {Error} */ (e).message);
        }
      }
      port.postMessage({ type: 'drained', failures, lastAck: clock.lastAck });
      break;
    }
    case 'verify': {
      // Remote ops may still be on their way: wait until each client reaches the server's version.
      const deadline = now() + s.drainTimeoutSeconds * 1000;
      for (const client of clients) {
        const version = message.versions[documentIds[client.documentIndex]];
        while (client.version < version && now() < deadline && !client.failure) await sleep(10);
      }
      const delay = (/** @type {number} */ ns) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
      port.postMessage({
        type: 'result',
        loopDelay: { p99: delay(loopDelay.percentile(99)), max: delay(loopDelay.max) },
        clients: clients.map((c) => ({
          documentIndex: c.documentIndex,
          index: c.index,
          failure: c.failure,
          connected: c.connected,
          version: c.version,
          text: c.text,
          expectedSection: c.workload.expectedText,
          finishedWorkload: !c.workload.hasNext,
          editsMade: c.editsMade,
          editsAcked: c.editsAcked,
          editsAckedInWindow: c.editsAckedInWindow,
          commitsInWindow: c.commitsInWindow,
          remoteOpsInWindow: c.remoteOpsInWindow,
          unacknowledged: c.unacknowledged,
          from: c.from,
          ackLatencies: c.ackLatencies,
          commits: c.commits,
          steps: c.steps,
          scheduleLags: c.scheduleLags,
        })),
      });
      break;
    }
    case 'close':
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 200);
      break;
    default:
      break;
  }
});

try {
  for (let i = 0; i < clients.length; i += 32) {
    await Promise.all(clients.slice(i, i + 32).map((c) => c.connect(ws, documentIds[c.documentIndex])));
  }
  port.postMessage({ type: 'ready' });
} catch (e) {
  port.postMessage({ type: 'error', message: String(/** @type {Error} */ (e).stack ?? e) });
}
