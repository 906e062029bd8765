// @ts-check
/**
 * The client half of the sync algorithm, pure and I/O-free: the JavaScript twin of
 * src/Ot/Sync/OtClient.cs. The caller (connection.js) sends what it says to send and applies to
 * the editor what it says to apply; this module knows nothing of SignalR or the DOM.
 */
import { TextOperation } from './text-operation.js';

/**
 * The three states of the client: what it has sent and not yet seen acknowledged.
 * - Synchronized: nothing in flight; a local edit is sent at once.
 * - AwaitingConfirm: one op in flight, nothing buffered.
 * - AwaitingWithBuffer: one op in flight and local edits composed into a buffer, sent on the ack.
 */
export const ClientState = Object.freeze({
  Synchronized: 'Synchronized',
  AwaitingConfirm: 'AwaitingConfirm',
  AwaitingWithBuffer: 'AwaitingWithBuffer',
});

/** @typedef {'Synchronized' | 'AwaitingConfirm' | 'AwaitingWithBuffer'} ClientStateName */

/**
 * An op for the client to send: `Submit(documentId, clientId, seq, baseRevision, op)`. A resend
 * keeps all three fields.
 * @typedef {Readonly<{ seq: number, baseRevision: number, op: TextOperation }>} Submission
 */

/**
 * What the client must do after an event: apply `apply` to the local text in order, then send
 * `send` if it is not null.
 * @typedef {Readonly<{ apply: readonly TextOperation[], send: Submission | null }>} ClientStep
 */

/** Nothing to do. */
const NONE = /** @type {ClientStep} */ (Object.freeze({ apply: Object.freeze([]), send: null }));

/**
 * @param {unknown} value
 * @param {string} fn
 * @returns {asserts value is number}
 */
function requireInteger(value, fn) {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`${fn}: the revision must be an integer, got ${String(value)}.`);
  }
}

/**
 * @param {unknown} op
 * @param {string} fn
 * @returns {asserts op is TextOperation}
 */
function requireOperation(op, fn) {
  if (!(op instanceof TextOperation)) {
    throw new TypeError(`${fn}: expected a TextOperation.`);
  }
}

/**
 * The client half of the sync algorithm. At most one op is in flight; local edits made meanwhile
 * are composed into one buffer; a remote op transforms the in-flight op and the buffer; an ack
 * sends the buffer.
 *
 * Server messages (remote ops and acks) carry revisions and are applied strictly in revision
 * order: one that arrives early waits, one already seen is ignored. So the order in which the
 * transport delivers them cannot break convergence.
 *
 * After `reconnect()` the client applies nothing until it knows the revision of its resent op:
 * the old connection's submit may have committed and may arrive as an ordinary op.
 */
export class OtClient {
  /** Remote ops received ahead of their turn, by revision. @type {Map<number, TextOperation>} */
  #early = new Map();
  /** @type {Submission | null} */
  #sent = null;
  /** @type {TextOperation | null} */
  #inflight = null;
  /** @type {TextOperation | null} */
  #buffer = null;
  /** The revision of the in-flight op once acknowledged, until it is reached. @type {number | null} */
  #ackRevision = null;
  #awaitingResendAck = false;
  #lastSeq;
  #revision;

  /**
   * A client whose local text is the server's text at `revision`.
   * @param {number} revision
   * @param {number} [lastSeq] the last seq this clientId used, so the next op is lastSeq + 1
   */
  constructor(revision, lastSeq = 0) {
    requireInteger(revision, 'OtClient');
    if (revision < 0) {
      throw new RangeError(`OtClient: the revision must not be negative, got ${revision}.`);
    }

    if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq)) {
      throw new RangeError(`OtClient: the last seq must be an integer, got ${String(lastSeq)}.`);
    }

    this.#revision = revision;
    this.#lastSeq = lastSeq;
  }

  /** The last server revision reflected in the local text. */
  get revision() {
    return this.#revision;
  }

  /** @returns {ClientStateName} which of the three states the client is in */
  get state() {
    if (this.#inflight === null) {
      return ClientState.Synchronized;
    }

    return this.#buffer === null ? ClientState.AwaitingConfirm : ClientState.AwaitingWithBuffer;
  }

  /** The op in flight, transformed to apply after `revision`; null when synchronized. */
  get inflight() {
    return this.#inflight;
  }

  /** Local edits not yet sent, applying after `inflight`; null when there are none. */
  get buffer() {
    return this.#buffer;
  }

  /** The submission in flight, exactly as it was sent (for a resend); null when synchronized. */
  get sent() {
    return this.#sent;
  }

  /** True after a reconnect, until the resent op's revision is known. */
  get awaitingResend() {
    return this.#awaitingResendAck;
  }

  /** How many ops received ahead of their turn wait for the ones before them. */
  get waitingCount() {
    return this.#early.size;
  }

  /**
   * Records a local edit (already applied to the local text). Returns the submission to send
   * when nothing was in flight; otherwise the edit is composed into the buffer and null returned.
   * @param {TextOperation} op
   * @returns {Submission | null}
   */
  applyLocal(op) {
    requireOperation(op, 'applyLocal');
    if (this.#inflight === null) {
      this.#inflight = op;
      this.#sent = Object.freeze({ seq: ++this.#lastSeq, baseRevision: this.#revision, op });
      return this.#sent;
    }

    this.#buffer = this.#buffer === null ? op : TextOperation.compose(this.#buffer, op);
    return null;
  }

  /**
   * A committed op from another client (or, after a reconnect, possibly our own), at `revision`.
   * @param {number} revision
   * @param {TextOperation} op
   * @returns {ClientStep}
   */
  receiveOp(revision, op) {
    requireInteger(revision, 'receiveOp');
    requireOperation(op, 'receiveOp');
    if (revision > this.#revision && !this.#early.has(revision)) {
      this.#early.set(revision, op);
    }

    return this.#drain();
  }

  /**
   * The ack of submission `seq`: it was committed as `revision`.
   * @param {number} seq
   * @param {number} revision
   * @returns {ClientStep}
   */
  receiveAck(seq, revision) {
    requireInteger(revision, 'receiveAck');
    if (this.#sent === null || seq !== this.#sent.seq || revision <= this.#revision) {
      // A stale ack (e.g. the old connection's, after a resend was answered) changes nothing.
      return NONE;
    }

    this.#ackRevision = revision;
    this.#awaitingResendAck = false;
    return this.#drain();
  }

  /**
   * Called on a new connection. Returns the in-flight submission to resend first, unchanged
   * (same seq, same base revision, same op), or null. Until its ack arrives nothing is applied;
   * the caller then catches up from `revision`.
   * @returns {Submission | null}
   */
  reconnect() {
    if (this.#sent === null || this.#ackRevision !== null) {
      // Nothing in flight, or its revision is already known: nothing to resend.
      return null;
    }

    this.#awaitingResendAck = true;
    this.#ackRevision = null;
    return this.#sent;
  }

  /** @returns {ClientStep} */
  #drain() {
    /** @type {TextOperation[] | null} */
    let apply = null;
    /** @type {Submission | null} */
    let send = null;
    while (true) {
      const next = this.#revision + 1;
      if (this.#ackRevision === next) {
        // Our own op, whether it also came as a broadcast (after a reconnect) or not.
        this.#early.delete(next);
        this.#revision = next;
        this.#ackRevision = null;
        send = this.#acknowledged() ?? send;
        continue;
      }

      const remote = this.#awaitingResendAck ? undefined : this.#early.get(next);
      if (remote === undefined) {
        break;
      }

      this.#early.delete(next);
      this.#revision = next;
      (apply ??= []).push(this.#transformRemote(remote));
    }

    // Drop anything already covered (duplicates that arrived before a gap was filled).
    for (const revision of this.#early.keys()) {
      if (revision <= this.#revision) {
        this.#early.delete(revision);
      }
    }

    return apply === null && send === null ? NONE : Object.freeze({ apply: apply ?? [], send });
  }

  /** @returns {Submission | null} the buffer's submission, now in flight, or null */
  #acknowledged() {
    this.#inflight = this.#buffer;
    this.#buffer = null;
    this.#sent = this.#inflight === null
      ? null
      : Object.freeze({ seq: ++this.#lastSeq, baseRevision: this.#revision, op: this.#inflight });
    return this.#sent;
  }

  /**
   * @param {TextOperation} remote
   * @returns {TextOperation} the remote op, transformed to apply to the local text
   */
  #transformRemote(remote) {
    if (this.#inflight === null) {
      return remote;
    }

    // The remote op was committed before ours, so it goes first in every transform.
    [remote, this.#inflight] = TextOperation.transform(remote, this.#inflight);
    if (this.#buffer !== null) {
      [remote, this.#buffer] = TextOperation.transform(remote, this.#buffer);
    }

    return remote;
  }
}
