// @ts-check
import fs from 'node:fs';
import os from 'node:os';
import * as hdr from 'hdr-histogram-js';

/**
 * Milliseconds on the process-wide monotonic clock: the same in every worker thread (unlike
 * performance.now(), whose origin is per thread).
 */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

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
 * Remote latency for one document, computed once the run is over (the clients live in several
 * worker threads). Each client reports the versions its acked edits were committed as, with the
 * time each edit was made, and the steps in which it applied others' ops: (up to version, at).
 * Ops are applied strictly in version order, so a receiver had applied version v at the first
 * step whose "up to" reaches v. Latency: edit made → another client applied it (as
 * RevisionLedger.cs, which computes the same while the run goes).
 * @param {{index: number, from: number, commits: number[], steps: number[]}[]} clients from: the version subscribed at;
 *   commits: [version, made, …] of measured edits; steps: [upTo, at, …]
 * @param {LatencyHistogram} remote
 */
export function recordRemoteLatency(clients, remote) {
  /** @type {Map<number, {author: number, made: number[]}>} */
  const byVersion = new Map();
  for (const client of clients) {
    for (let i = 0; i < client.commits.length; i += 2) {
      const version = client.commits[i];
      let entry = byVersion.get(version);
      if (!entry) byVersion.set(version, (entry = { author: client.index, made: [] }));
      entry.made.push(client.commits[i + 1]);
    }
  }
  for (const receiver of clients) {
    let appliedUpTo = receiver.from;
    for (let i = 0; i < receiver.steps.length; i += 2) {
      const upTo = receiver.steps[i];
      const at = receiver.steps[i + 1];
      for (let v = appliedUpTo + 1; v <= upTo; v++) {
        const entry = byVersion.get(v);
        if (entry && entry.author !== receiver.index) for (const made of entry.made) remote.record(made, at);
      }
      appliedUpTo = Math.max(appliedUpTo, upTo);
    }
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
