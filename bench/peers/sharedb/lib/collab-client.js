// @ts-check
import crypto from 'node:crypto';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { TextOperation } from '../../../../wwwroot/js/text-operation.js';
import { OtClient } from '../../../../wwwroot/js/client.js';
import { now } from './measure.js';
import { sectionStart } from './workload.js';

/** The hub path (docs/protocol.md). */
const HUB = '/hubs/collab';

/**
 * One simulated person on CollabEdit, with the same interface and the same measurements as the
 * ShareDB LoadClient (load-client.js), so one worker and one schedule drive both servers. It
 * speaks the hub protocol the browser speaks: SignalR over WebSockets with MessagePack
 * (@microsoft/signalr), the browser's own OT client state machine (wwwroot/js/client.js: one op
 * in flight, edits made meanwhile composed into one buffer) and TextOperation
 * (wwwroot/js/text-operation.js), a bearer token from /api/account. Ack latency: edit made → the
 * Submit answer of the submission that carried it; the revision in that answer is the version
 * the edits were committed as.
 */
export class CollabLoadClient {
  /**
   * @param {number} documentIndex @param {number} index its place among the document's clients (its section)
   * @param {string} mark the marker line opening its section
   * @param {import('./workload.js').TraceSliceWorkload | import('./workload.js').RandomTypingWorkload} workload
   * @param {import('./run-clock.js').RunClock} clock
   * @param {string} token bearer token
   */
  constructor(documentIndex, index, mark, workload, clock, token) {
    this.documentIndex = documentIndex;
    this.index = index;
    this.mark = mark;
    this.workload = workload;
    this.clock = clock;
    this.token = token;
    /** @type {string | undefined} */
    this.failure = undefined;
    this.editsMade = 0;
    this.editsAcked = 0;
    this.editsAckedInWindow = 0;
    this.commitsInWindow = 0;
    this.remoteOpsInWindow = 0;
    this.from = 0;
    /** @type {number[]} */
    this.ackLatencies = [];
    /** @type {number[]} */
    this.commits = [];
    /** @type {number[]} */
    this.steps = [];
    /** @type {number[]} */
    this.scheduleLags = [];
    this.closing = false;
    this.text = '';
    this.clientId = crypto.randomBytes(16).toString('hex');
    /** When each edit not yet sent was made: the OT client composes them all into its next submission. @type {number[]} */
    this.unsent = [];
    /** When the edits each submission carries were made, by seq. @type {Map<number, number[]>} */
    this.carriedBySeq = new Map();
    /** @type {(() => void)[]} */
    this.onAck = [];
    /** @type {(() => void)[]} */
    this.idleWaiters = [];
    /** @type {OtClient | undefined} */
    this.client = undefined;
  }

  /** The revision this client's text is at. */
  get version() {
    return this.client?.revision ?? 0;
  }

  get connected() {
    return this.hub?.state === signalR.HubConnectionState.Connected;
  }

  get unacknowledged() {
    return this.editsMade - this.editsAcked;
  }

  /** Connects to the server at `url` (http://…) and opens document `id`. @param {string} url @param {string} id */
  async connect(url, id) {
    this.documentId = id;
    this.hub = new signalR.HubConnectionBuilder()
      .withUrl(`${url}${HUB}`, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true, accessTokenFactory: () => this.token })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(signalR.LogLevel.None)
      .build();
    this.hub.serverTimeoutInMilliseconds = 120_000;
    /** Ops broadcast between joining the group and the Open answer. @type {[number, unknown][]} */
    const early = [];
    this.hub.on('Op', (/** @type {string} */ doc, /** @type {number} */ revision, /** @type {unknown} */ op) => {
      if (doc !== id) return;
      const at = now();
      if (this.clock.inWindow(at)) this.remoteOpsInWindow++;
      if (!this.client) early.push([revision, op]);
      else this.step(this.client.receiveOp(revision, TextOperation.fromJSON(op)));
    });
    this.hub.onclose(() => {
      if (!this.closing) this.fail('connection closed');
    });
    await this.hub.start();
    const opened = await this.hub.invoke('Open', id, `node ${this.index + 1}`);
    this.text = opened.text;
    this.client = new OtClient(opened.revision);
    this.from = opened.revision;
    for (const [revision, op] of early) this.step(this.client.receiveOp(revision, TextOperation.fromJSON(op)));
  }

  /**
   * Applies what the OT client says: remote ops to the text, a submission to send.
   * @param {import('../../../../wwwroot/js/client.js').ClientStep} step
   */
  step(step) {
    for (const op of step.apply) this.text = op.apply(this.text);
    if (step.apply.length > 0) this.steps.push(this.version, now());
    if (step.send) this.transmit(step.send);
  }

  /** @param {{seq: number, baseRevision: number, op: TextOperation}} submission */
  transmit(submission) {
    if (!this.carriedBySeq.has(submission.seq)) this.carriedBySeq.set(submission.seq, this.unsent.splice(0));
    const hub = /** @type {signalR.HubConnection} */ (this.hub);
    hub.invoke('Submit', this.documentId, this.clientId, submission.seq, submission.baseRevision, submission.op.toJSON())
      .then((/** @type {{revision: number}} */ ack) => {
        const client = /** @type {OtClient} */ (this.client);
        const carried = this.carriedBySeq.get(submission.seq) ?? [];
        this.carriedBySeq.delete(submission.seq);
        this.acknowledged(carried, ack.revision);
        this.step(client.receiveAck(submission.seq, ack.revision));
        const callbacks = this.onAck.splice(0, carried.length);
        for (const done of callbacks) done();
        if (this.editsMade === this.editsAcked) for (const resolve of this.idleWaiters.splice(0)) resolve();
      })
      .catch((/** @type {Error} */ e) => this.fail(`submit refused: ${e.message ?? e}`));
  }

  /** Makes one edit in this client's section; `done` runs when it is acknowledged. @param {(() => void)=} done */
  makeEdit(done) {
    const client = /** @type {OtClient} */ (this.client);
    const start = sectionStart(this.text, this.mark);
    const edit = this.workload.next();
    const op = TextOperation.splice(this.text.length, start + edit.position, edit.deleteCount, edit.insert);
    this.text = op.apply(this.text);
    const made = now();
    this.editsMade++;
    this.onAck.push(done ?? (() => {}));
    this.unsent.push(made);
    const send = client.applyLocal(op);
    if (send) this.transmit(send);
  }

  /** @param {number[]} carried when each acknowledged edit was made @param {number} version */
  acknowledged(carried, version) {
    const at = now();
    this.clock.sawAck(at);
    this.editsAcked += carried.length;
    if (this.clock.inWindow(at)) {
      this.editsAckedInWindow += carried.length;
      this.commitsInWindow++;
    }
    for (const made of carried) {
      if (this.clock.isMeasured(made)) {
        this.ackLatencies.push(at - made);
        this.commits.push(version, made);
      }
    }
  }

  /** @param {string} reason */
  fail(reason) {
    this.failure ??= reason;
  }

  /** @param {number} timeoutMs */
  whenNothingPending(timeoutMs) {
    if (this.editsMade === this.editsAcked) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not synchronized after ${timeoutMs / 1000} s`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }

  close() {
    this.closing = true;
    this.hub?.stop().catch(() => {});
  }
}
