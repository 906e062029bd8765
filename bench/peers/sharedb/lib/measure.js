// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import * as hdr from 'hdr-histogram-js';

/** Milliseconds, as performance.now() gives them. */
export const now = () => performance.now();

/** Latencies in microseconds, 1 µs to 1 hour, 3 significant digits (as LatencyHistogram.cs). */
export class LatencyHistogram {
  constructor() {
    this.histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  }

  /** @param {number} from @param {number} to times in ms */
  record(from, to) {
    this.histogram.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round((to - from) * 1000))));
  }

  /** @returns {{count: number, p50: number, p95: number, p99: number, max: number, mean: number} | undefined} */
  summarize() {
    const h = this.histogram;
    if (h.totalCount === 0) return undefined;
    const ms = (/** @type {number} */ micros) => Math.round(micros) / 1000;
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: Math.round(h.mean) / 1000,
    };
  }
}

/**
 * Remote latency for one document, as RevisionLedger.cs: the author of a commit learns its
 * version from the ack and records when the edits it carried were made; every other client
 * reports when it has applied that version. Whichever comes second records the latency.
 */
export class RevisionLedger {
  /** @param {(made: number) => boolean} isMeasured @param {LatencyHistogram} remote */
  constructor(isMeasured, remote) {
    this.isMeasured = isMeasured;
    this.remote = remote;
    /** @type {Map<number, {author: number, made: number[], applied: [number, number][]}>} */
    this.entries = new Map();
  }

  /** @param {number} version */
  entry(version) {
    let entry = this.entries.get(version);
    if (!entry) this.entries.set(version, (entry = { author: -1, made: [], applied: [] }));
    return entry;
  }

  /** An edit made at `made` was committed as `version` by client `author`. @param {number} version @param {number} author @param {number} made */
  committed(version, author, made) {
    const entry = this.entry(version);
    entry.author = author;
    entry.made.push(made);
    if (!this.isMeasured(made)) return;
    for (const [receiver, at] of entry.applied) if (receiver !== author) this.remote.record(made, at);
  }

  /** Client `receiver` has applied every version up to `version` at `at`. @param {number} version @param {number} receiver @param {number} at */
  applied(version, receiver, at) {
    const entry = this.entry(version);
    entry.applied.push([receiver, at]);
    if (entry.author === -1 || receiver === entry.author) return;
    for (const made of entry.made) if (this.isMeasured(made)) this.remote.record(made, at);
  }
}

/**
 * CPU seconds and memory of a process from /proc (Linux), or undefined.
 * @param {number} pid @returns {{cpuSeconds: number, rssBytes: number, peakRssBytes: number} | undefined}
 */
export function processStats(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (/** @type {string} */ key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm')) ?? [])[1] ?? 0) * 1024;
    return { cpuSeconds: ticks / 100, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Where the run ran (same fields as MachineInfo.cs). */
export function machineInfo() {
  const read = (/** @type {string} */ file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const cpu = (read('/proc/cpuinfo').match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? os.arch();
  const osName = ((read('/etc/os-release').match(/^PRETTY_NAME=(.*)$/m) ?? [])[1] ?? os.type()).replace(/"/g, '');
  return {
    cpu: cpu.trim(),
    cores: os.cpus().length,
    os: osName,
    kernel: read('/proc/sys/kernel/osrelease').trim(),
    runtime: `node ${process.version}, sharedb 7.0.0, ot-text-unicode 4.0.0`,
    loadAverageAtStart: read('/proc/loadavg').split(' ').slice(0, 3).join(' '),
  };
}

export const mib = (/** @type {number} */ bytes) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
