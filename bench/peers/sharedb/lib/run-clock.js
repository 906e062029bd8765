// @ts-check
/**
 * The measurement window in performance.now() milliseconds, as RunClock.cs: latencies count
 * for edits made from `start` on; throughput counts acks received inside the window.
 */
export class RunClock {
  constructor() {
    this.start = Infinity;
    this.end = Infinity;
    this.lastAck = 0;
  }

  /** @param {number} made */
  isMeasured(made) {
    return made >= this.start;
  }

  /** @param {number} at */
  inWindow(at) {
    return at >= this.start && at <= this.end;
  }

  /** @param {number} at */
  sawAck(at) {
    if (at > this.lastAck) this.lastAck = at;
  }
}
