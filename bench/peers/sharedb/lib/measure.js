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
    // USER_HZ (the unit of utime/stime) is 100 on every Linux node runs on.
    return { cpuSeconds: ticks / 100, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * The pid and every descendant of it (PostgreSQL: the postmaster and its backends), from /proc.
 * @param {number} root @returns {number[]}
 */
export function processTree(root) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]) ?? []));
  return all;
}

/**
 * CPU and RSS of a process (or a process tree) over the measured window only, as WindowMeter.cs:
 * utime + stime read when the window opens and when it closes (so neither start-up nor warm-up
 * counts), VmRSS sampled every 100 ms in between for the peak, VmRSS at the end. A tree (the
 * PostgreSQL server) is summed over the processes alive at each read: a backend that exits inside
 * the window takes its CPU with it (the pool keeps its connections during a run).
 */
export class WindowMeter {
  /** @param {number} pid @param {{tree?: boolean}} options */
  constructor(pid, options = {}) {
    this.pid = pid;
    this.tree = options.tree ?? false;
    this.startedAt = now();
    this.atStart = this.read();
    this.peakRss = this.atStart?.rssBytes ?? 0;
    this.timer = setInterval(() => {
      const sample = this.read();
      if (sample && sample.rssBytes > this.peakRss) this.peakRss = sample.rssBytes;
    }, 100);
  }

  /** @returns {{cpuSeconds: number, rssBytes: number} | undefined} */
  read() {
    const pids = this.tree ? processTree(this.pid) : [this.pid];
    let cpuSeconds = 0;
    let rssBytes = 0;
    let any = false;
    for (const pid of pids) {
      const stats = processStats(pid);
      if (!stats) continue;
      any = true;
      cpuSeconds += stats.cpuSeconds;
      rssBytes += stats.rssBytes;
    }
    return any ? { cpuSeconds, rssBytes } : undefined;
  }

  /** Closes the window. @returns {{cpuSeconds: number, cpuCores: number, peakRssMiB: number, rssMiB: number} | undefined} */
  stop() {
    const atEnd = this.read();
    const window = (now() - this.startedAt) / 1000;
    clearInterval(this.timer);
    if (!this.atStart || !atEnd) return undefined;
    const cpu = atEnd.cpuSeconds - this.atStart.cpuSeconds;
    const r3 = (/** @type {number} */ v) => Math.round(v * 1000) / 1000;
    return { cpuSeconds: r3(cpu), cpuCores: r3(cpu / window), peakRssMiB: mib(Math.max(this.peakRss, atEnd.rssBytes)), rssMiB: mib(atEnd.rssBytes) };
  }
}

/**
 * The CPUs a process may run on (Cpus_allowed_list in /proc/PID/status), or every core.
 * @param {number | 'self'} pid @returns {Set<number>}
 */
export function allowedCpus(pid = 'self') {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const list = (status.match(/^Cpus_allowed_list:\s*(.*)$/m) ?? [])[1]?.trim();
    if (list) {
      /** @type {Set<number>} */
      const cpus = new Set();
      for (const part of list.split(',').filter(Boolean)) {
        const [from, to] = part.split('-').map(Number);
        for (let c = from; c <= (to ?? from); c++) cpus.add(c);
      }
      if (cpus.size > 0) return cpus;
    }
  } catch {
    // Not Linux, or the process is gone.
  }
  return new Set(os.cpus().map((_, i) => i));
}

/** Timer lag p99 above this (ms): the driver could not make its edits on time. */
export const MAX_TIMER_LAG_P99_MS = 10;
/** Driver CPU above this share of the cores it may use: it was saturated. */
export const MAX_CORE_SHARE = 0.9;

/**
 * Whether the driver kept its schedule (the same rules as DriverCheck.cs). A driver-bound run's
 * figures are the driver's limit, never the server's:
 * - its timer ran late: timer lag p99 > 10 ms;
 * - it was saturated: its CPU > 90% of the cores it may use;
 * - it took the server's CPU: on cores the server may use too, driver and server together
 *   above 90% of those cores, and the driver using more than the server. (Without contention a
 *   driver using more CPU than the server does not limit it: each client applies every op.)
 * @param {{p99: number} | undefined} timerLag @param {number} driverCores
 * @param {number | undefined} serverCores server CPU in cores (with its database's)
 * @param {number | undefined} serverPid to read the server's CPU affinity
 */
export function judgeDriver(timerLag, driverCores, serverCores, serverPid) {
  const mine = allowedCpus();
  const shared = serverPid ? [...allowedCpus(serverPid)].filter((c) => mine.has(c)).length : mine.size;
  /** @type {string[]} */
  const reasons = [];
  if (timerLag && timerLag.p99 > MAX_TIMER_LAG_P99_MS) reasons.push(`timer lag p99 ${timerLag.p99} ms > ${MAX_TIMER_LAG_P99_MS} ms`);
  if (driverCores > MAX_CORE_SHARE * mine.size) reasons.push(`driver CPU ${driverCores} cores > ${MAX_CORE_SHARE * 100}% of the ${mine.size} it may use`);
  if (serverCores !== undefined && shared > 0 && driverCores > serverCores && driverCores + serverCores > MAX_CORE_SHARE * shared) {
    reasons.push(`driver CPU ${driverCores} cores > server CPU ${serverCores} cores on ${shared} shared cores, together over ${MAX_CORE_SHARE * 100}%`);
  }
  return { timerLagMs: timerLag, cpuCores: driverCores, coresAvailable: mine.size, sharedCores: shared, driverBound: reasons.length > 0, reasons };
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
    runtime: `node ${process.version}, sharedb 7.0.0, ot-text-unicode 4.0.0, sharedb-postgres 5.0.1, @microsoft/signalr 10.0.11`,
    loadAverageAtStart: read('/proc/loadavg').split(' ').slice(0, 3).join(' '),
  };
}

export const mib = (/** @type {number} */ bytes) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
