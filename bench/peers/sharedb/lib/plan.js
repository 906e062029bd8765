// @ts-check
import { loadTrace, planSlices } from './trace.js';
import { RandomTypingWorkload, TraceSliceWorkload } from './workload.js';

/**
 * @typedef {{scenario: string, description: string, documents: number, clientsPerDocument: number, rate: number | null,
 *   durationSeconds: number, warmupSeconds: number, editsPerClient: number | null, workload: 'trace' | 'random', trace: string, slices: 'from-start' | 'consecutive',
 *   seed: number, json?: string, quiet: boolean, drainTimeoutSeconds: number, url?: string, serverPid?: number, workers: number | null,
 *   system: "sharedb" | "collabedit", db: "memory" | "postgres", pgUrl?: string, pgData?: string, serverCpus?: string, serverDll?: string}} Settings
 */

/**
 * Edits per client when not given, as LoadRun.EditsPerClient in the .NET driver.
 * @param {Settings} s @param {number} traceLength
 */
export function editsPerClient(s, traceLength) {
  if (s.editsPerClient !== null) return s.workload === 'trace' ? Math.min(s.editsPerClient, traceLength) : s.editsPerClient;
  if (s.rate !== null) {
    const needed = Math.ceil(s.rate * (s.warmupSeconds + s.durationSeconds)) + 10;
    return s.workload === 'trace' ? Math.min(needed, traceLength) : needed;
  }
  if (s.workload === 'random') return Number.MAX_SAFE_INTEGER;
  return s.clientsPerDocument === 1 || s.durationSeconds === 0
    ? Math.floor(traceLength / s.clientsPerDocument)
    : Math.min(Math.floor(traceLength / s.clientsPerDocument), 20_000);
}

/**
 * The run's workloads, the same in the main thread (to create the documents) and in every
 * worker (to type): one per (document, client), deterministic from the settings.
 * @param {Settings} s
 */
export function planWorkloads(s) {
  const trace = s.workload === 'trace' ? loadTrace(s.trace) : undefined;
  const perClient = editsPerClient(s, trace?.patches.length ?? 0);
  const slices = trace ? planSlices(trace, s.clientsPerDocument, perClient, s.slices) : undefined;
  const workload = (/** @type {number} */ d, /** @type {number} */ k) =>
    slices ? new TraceSliceWorkload(slices[k]) : new RandomTypingWorkload((s.seed * 7919 + d * 131 + k) | 0);
  return { trace, perClient, workload };
}
