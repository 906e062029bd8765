// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { GapBuffer } from './gap-buffer.js';

/** @typedef {{ position: number, deleteCount: number, insert: string }} Patch */
/** @typedef {{ name: string, startContent: string, endContent: string, patches: Patch[] }} Trace */
/** @typedef {{ patches: Patch[], start: number, count: number, initialText: string }} TraceSlice */

/** The folder holding CollabEdit.sln above this file (the repository). */
export function repositoryRoot() {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'CollabEdit.sln'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('No CollabEdit.sln above bench/peers/sharedb');
  }
}

/** The traces folder: COLLABEDIT_TRACES, else the repository's tests/traces (as src/Traces). */
export function tracesDirectory() {
  return process.env.COLLABEDIT_TRACES || path.join(repositoryRoot(), 'tests', 'traces');
}

/**
 * Loads `{name}.json.gz` (josephg/editing-traces, sequential form); every patch is one edit.
 * @param {string} name @returns {Trace}
 */
export function loadTrace(name) {
  const json = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(tracesDirectory(), `${name}.json.gz`))).toString('utf8'));
  /** @type {Patch[]} */
  const patches = [];
  for (const txn of json.txns) {
    for (const [position, deleteCount, insert] of txn.patches) patches.push({ position, deleteCount, insert: insert ?? '' });
  }
  return { name, startContent: json.startContent ?? '', endContent: json.endContent ?? '', patches };
}

/**
 * `slices` slices of `count` patches: all from the trace's start ('from-start'), or consecutive
 * and disjoint while the trace is long enough, spread evenly and overlapping otherwise
 * ('consecutive'); each with the trace's text before its first patch. The same plan as
 * bench/CollabEdit.LoadDriver/TraceSlice.cs.
 * @param {Trace} trace @param {number} slices @param {number} count @param {'from-start' | 'consecutive'} layout
 * @returns {TraceSlice[]}
 */
export function planSlices(trace, slices, count, layout) {
  const total = trace.patches.length;
  count = Math.max(0, Math.min(count, total));
  const stride = slices === 1 || layout === 'from-start' ? 0 : Math.min(count, Math.floor((total - count) / (slices - 1)));
  const starts = Array.from({ length: slices }, (_, k) => k * stride);
  /** @type {Map<number, string>} */
  const texts = new Map();
  const text = new GapBuffer(trace.startContent);
  let applied = 0;
  for (const start of [...new Set(starts)].sort((a, b) => a - b)) {
    for (; applied < start; applied++) {
      const p = trace.patches[applied];
      text.splice(p.position, p.deleteCount, p.insert);
    }
    texts.set(start, text.toString());
  }
  return starts.map((start) => ({ patches: trace.patches, start, count, initialText: /** @type {string} */ (texts.get(start)) }));
}
