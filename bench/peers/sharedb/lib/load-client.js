// @ts-check
import WebSocket from 'ws';
import ShareDBClient from 'sharedb/lib/client/index.js';
import otText from 'ot-text-unicode';
import { now } from './measure.js';
import { sectionStart } from './workload.js';

ShareDBClient.types.register(otText.type);
export const COLLECTION = 'docs';

/**
 * One simulated person on ShareDB: its own WebSocket and ShareDB client Connection, subscribed
 * to the document, typing its workload into its own section with `doc.submitOp`. The ShareDB
 * client keeps one op in flight and composes ops submitted meanwhile (text-unicode composes),
 * and calls each submitOp's callback when the op that carried it is acknowledged: that is the
 * ack latency. `doc.version` in that callback is the version the op was committed as, and in
 * a remote 'op' event the version that op made.
 */
export class LoadClient {
  /**
   * @param {number} documentIndex @param {number} index its place among the document's clients (its section)
   * @param {string} mark the marker line opening its section
   * @param {import('./workload.js').TraceSliceWorkload | import('./workload.js').RandomTypingWorkload} workload
   * @param {import('./run-clock.js').RunClock} clock
   */
  constructor(documentIndex, index, mark, workload, clock) {
    this.documentIndex = documentIndex;
    this.index = index;
    this.mark = mark;
    this.workload = workload;
    this.clock = clock;
    /** @type {string | undefined} */
    this.failure = undefined;
    this.editsMade = 0;
    this.editsAcked = 0;
    this.editsAckedInWindow = 0;
    this.commitsInWindow = 0;
    /** Remote ops received and applied inside the window (one server message each). */
    this.remoteOpsInWindow = 0;
    this.lastAckVersion = -1;
    this.from = 0;
    /** Ack latencies (ms) of measured edits. @type {number[]} */
    this.ackLatencies = [];
    /** [version, made, …] of measured edits. @type {number[]} */
    this.commits = [];
    /** [upTo, at, …]: after each remote op, every version up to `upTo` is applied. @type {number[]} */
    this.steps = [];
    /** Open loop: how late each measured edit was made (ms). @type {number[]} */
    this.scheduleLags = [];
    this.closing = false;
  }

  /** Connects and subscribes to document `id` at `url` (ws://…). @param {string} url @param {string} id */
  async connect(url, id) {
    this.socket = new WebSocket(url);
    this.connection = new ShareDBClient.Connection(/** @type {any} */ (this.socket));
    this.doc = this.connection.get(COLLECTION, id);
    const doc = this.doc;
    await new Promise((resolve, reject) => doc.subscribe((/** @type {any} */ err) => (err ? reject(err) : resolve(undefined))));
    this.from = doc.version;
    doc.on('op', (/** @type {any} */ _op, /** @type {any} */ source) => {
      if (!source) {
        const at = now();
        this.steps.push(doc.version, at);
        if (this.clock.inWindow(at)) this.remoteOpsInWindow++;
      }
    });
    doc.on('error', (/** @type {any} */ err) => this.fail(`doc error: ${err.message ?? err}`));
    this.socket.on('close', () => {
      if (!this.closing) this.fail('connection closed');
    });
  }

  /** The version this client's text is at. */
  get version() {
    return /** @type {any} */ (this.doc).version;
  }

  /** This client's text. */
  get text() {
    return /** @type {any} */ (this.doc).data;
  }

  get connected() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get unacknowledged() {
    return this.editsMade - this.editsAcked;
  }

  /** Makes one edit in this client's section; `done` runs when it is acknowledged. @param {(() => void)=} done */
  makeEdit(done) {
    const doc = /** @type {any} */ (this.doc);
    const start = sectionStart(doc.data, this.mark);
    const edit = this.workload.next();
    const position = start + edit.position;
    /** @type {(number | string | {d: number})[]} */
    const op = [];
    if (position > 0) op.push(position);
    if (edit.insert.length > 0) op.push(edit.insert);
    if (edit.deleteCount > 0) op.push({ d: edit.deleteCount });
    const made = now();
    this.editsMade++;
    doc.submitOp(op, (/** @type {any} */ err) => {
      if (err) {
        this.fail(`submit refused: ${err.message ?? err}`);
        return;
      }
      this.acknowledged(made, doc.version);
      if (done) done();
    });
  }

  /** @param {number} made @param {number} version */
  acknowledged(made, version) {
    const at = now();
    this.clock.sawAck(at);
    this.editsAcked++;
    const newCommit = version !== this.lastAckVersion;
    this.lastAckVersion = version;
    if (this.clock.inWindow(at)) {
      this.editsAckedInWindow++;
      if (newCommit) this.commitsInWindow++;
    }
    if (this.clock.isMeasured(made)) {
      this.ackLatencies.push(at - made);
      this.commits.push(version, made);
    }
  }

  /** @param {string} reason */
  fail(reason) {
    this.failure ??= reason;
  }

  /** @param {number} timeoutMs */
  whenNothingPending(timeoutMs) {
    const doc = /** @type {any} */ (this.doc);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not synchronized after ${timeoutMs / 1000} s`)), timeoutMs);
      doc.whenNothingPending(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }

  close() {
    this.closing = true;
    this.connection?.close();
  }
}
