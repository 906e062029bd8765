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
 * `send` if it is not null. `committed` lists the ops that became part of the server's text at
 * the client's revision, in revision order (others' ops as committed, and ours when acknowledged):
 * a caller that keeps a copy of that text applies them to it.
 * @typedef {Readonly<{ apply: readonly TextOperation[], send: Submission | null, committed?: readonly TextOperation[] }>} ClientStep
 */

/**
 * Everything a client needs to carry on after the page is gone: written to the device with every
 * local edit, read back by `OtClient.restore`.
 * @typedef {{ revision: number, lastSeq: number, sent: { seq: number, baseRevision: number, op: unknown } | null, inflight: unknown, pending: unknown[] }} ClientSnapshot
 */

/** Nothing to do. */
const NONE = /** @type {ClientStep} */ (Object.freeze({ apply: Object.freeze([]), send: null, committed: Object.freeze([]), revisions: Object.freeze([]) }));

/** Code units an op inserts. @param {TextOperation} op */
export function insertedLength(op) {
  let total = 0;
  for (const c of op.components) if (typeof c === 'string') total += c.length;
  return total;
}

/**
 * Splits `op` into ops that each insert at most `limit` code units and, applied in order, do what
 * `op` does (deletes go in the first). A surrogate pair is never cut in two.
 * @param {TextOperation} op
 * @param {number} limit
 * @returns {TextOperation[]}
 */
export function splitByInserted(op, limit) {
  if (!(limit > 1)) throw new RangeError(`splitByInserted: the limit must be at least 2, got ${limit}.`);
  /** @type {TextOperation[]} */
  const parts = [];
  let rest = op;
  while (insertedLength(rest) > limit) {
    const first = TextOperation.builder();
    const next = TextOperation.builder();
    let budget = limit;
    for (const c of rest.components) {
      if (typeof c === 'string') {
        let take = Math.min(c.length, budget);
        const code = c.charCodeAt(take - 1);
        if (take > 0 && take < c.length && code >= 0xd800 && code <= 0xdbff) take--;
        budget -= take;
        first.insert(c.slice(0, take));
        next.retain(take);
        next.insert(c.slice(take));
      } else if (c > 0) {
        first.retain(c);
        next.retain(c);
      } else {
        first.delete(-c);
      }
    }
    parts.push(first.build());
    rest = next.build();
  }
  parts.push(rest);
  return parts;
}

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
  /**
   * Local edits not yet sent, in order, each applying after the one before (the first after the
   * in-flight op). Edits compose into the last one while it stays within the insert limit.
   * @type {TextOperation[]}
   */
  #pending = [];
  /** Most code units one op may insert (the server's MaxOpLength). */
  #maxInsert;
  /** Most components one op may have (the server's MaxOpComponents): buffered edits compose only below it. */
  #maxComponents;
  /** The revision of the in-flight op once acknowledged, until it is reached. @type {number | null} */
  #ackRevision = null;
  #awaitingResendAck = false;
  #lastSeq;
  #revision;

  /**
   * A client whose local text is the server's text at `revision`.
   * @param {number} revision
   * @param {number} [lastSeq] the last seq this clientId used, so the next op is lastSeq + 1
   * @param {{ maxInsert?: number, maxComponents?: number }} [options] maxInsert: most code units one
   *   op may insert; maxComponents: most components an op composed of buffered edits may have
   */
  constructor(revision, lastSeq = 0, options = {}) {
    requireInteger(revision, 'OtClient');
    if (revision < 0) {
      throw new RangeError(`OtClient: the revision must not be negative, got ${revision}.`);
    }

    if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq)) {
      throw new RangeError(`OtClient: the last seq must be an integer, got ${String(lastSeq)}.`);
    }

    this.#revision = revision;
    this.#lastSeq = lastSeq;
    this.#maxInsert = options.maxInsert ?? Infinity;
    this.#maxComponents = options.maxComponents ?? Infinity;
  }

  /**
   * A client as `snapshot()` left it, after a reload: what was in flight is resent unchanged
   * first (the server recognises it if it was committed), as after `reconnect()`.
   * @param {ClientSnapshot} saved
   * @param {{ maxInsert?: number, maxComponents?: number }} [options]
   */
  static restore(saved, options = {}) {
    const client = new OtClient(saved.revision, saved.lastSeq, options);
    if (saved.sent && saved.inflight) {
      client.#sent = Object.freeze({ seq: saved.sent.seq, baseRevision: saved.sent.baseRevision, op: TextOperation.fromJSON(saved.sent.op) });
      client.#inflight = TextOperation.fromJSON(saved.inflight);
      client.#awaitingResendAck = true;
    }
    client.#pending = saved.pending.map((op) => TextOperation.fromJSON(op));
    if (client.#inflight === null && client.#pending.length > 0) {
      // Nothing was in flight: the first pending op goes out as a new submission.
      client.#acknowledged();
    }
    return client;
  }

  /** The state to write to the device: see `restore`. @returns {ClientSnapshot} */
  snapshot() {
    const sent = this.#sent;
    return {
      revision: this.#revision,
      lastSeq: this.#lastSeq,
      sent: sent && { seq: sent.seq, baseRevision: sent.baseRevision, op: sent.op.toJSON() },
      inflight: this.#inflight?.toJSON() ?? null,
      pending: this.#pending.map((op) => op.toJSON()),
    };
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

    return this.#pending.length === 0 ? ClientState.AwaitingConfirm : ClientState.AwaitingWithBuffer;
  }

  /** The op in flight, transformed to apply after `revision`; null when synchronized. */
  get inflight() {
    return this.#inflight;
  }

  /** Local edits not yet sent, composed into one op applying after `inflight`; null when there are none. */
  get buffer() {
    return this.#pending.length === 0 ? null : this.#pending.reduce((a, b) => TextOperation.compose(a, b));
  }

  /** Local edits not yet sent, as the ops they will be sent as, in order. */
  get pendingOps() {
    return /** @type {readonly TextOperation[]} */ (this.#pending.slice());
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
    const parts = insertedLength(op) > this.#maxInsert ? splitByInserted(op, this.#maxInsert) : [op];
    for (const part of parts) {
      const last = this.#pending.at(-1);
      const composed = last !== undefined && insertedLength(last) + insertedLength(part) <= this.#maxInsert
        ? TextOperation.compose(last, part)
        : null;
      if (composed !== null && composed.components.length <= this.#maxComponents) {
        this.#pending[this.#pending.length - 1] = composed;
      } else {
        this.#pending.push(part);
      }
    }

    return this.#inflight === null ? this.#acknowledged() : null;
  }

  /**
   * The server refused the op in flight as based on a revision too old, and it is known never to
   * have been committed (it was sent once, on a connection that answered). The in-flight op,
   * already transformed past every op since, goes out again as a new submission on the current
   * revision. Returns that submission.
   * @returns {Submission | null}
   */
  rebaseInflight() {
    if (this.#inflight === null) return null;
    this.#ackRevision = null;
    this.#awaitingResendAck = false;
    this.#sent = Object.freeze({ seq: ++this.#lastSeq, baseRevision: this.#revision, op: this.#inflight });
    return this.#sent;
  }

  /**
   * The server refused the op in flight (it will never commit it). Takes exactly that op back:
   * `inverse` undoes the in-flight op on the server's text at `revision` followed by it (the
   * caller, who keeps that text, computes it). Returns the step: apply the inverse, moved past
   * the later local edits, to the local text; send the next of those edits, which are kept.
   * @param {TextOperation} inverse
   * @returns {ClientStep}
   */
  rejectInflight(inverse) {
    requireOperation(inverse, 'rejectInflight');
    if (this.#inflight === null) return NONE;
    let undo = inverse;
    for (let i = 0; i < this.#pending.length; i++) {
      [undo, this.#pending[i]] = TextOperation.transform(undo, this.#pending[i]);
    }

    this.#inflight = null;
    this.#sent = null;
    this.#ackRevision = null;
    this.#awaitingResendAck = false;
    const send = this.#acknowledged();
    const step = this.#drain();
    return Object.freeze({ apply: [undo, ...step.apply], send: step.send ?? send, committed: step.committed, revisions: [null, ...(step.revisions ?? [])] });
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
    /** @type {TextOperation[] | null} */
    let committed = null;
    /** @type {number[] | null} */
    let revisions = null;
    while (true) {
      const next = this.#revision + 1;
      if (this.#ackRevision === next && this.#inflight !== null) {
        // Our own op, whether it also came as a broadcast (after a reconnect) or not.
        this.#early.delete(next);
        this.#revision = next;
        this.#ackRevision = null;
        (committed ??= []).push(this.#inflight);
        send = this.#acknowledged() ?? send;
        continue;
      }

      const remote = this.#awaitingResendAck ? undefined : this.#early.get(next);
      if (remote === undefined) {
        break;
      }

      this.#early.delete(next);
      this.#revision = next;
      (committed ??= []).push(remote);
      (apply ??= []).push(this.#transformRemote(remote));
      (revisions ??= []).push(next);
    }

    // Drop anything already covered (duplicates that arrived before a gap was filled).
    for (const revision of this.#early.keys()) {
      if (revision <= this.#revision) {
        this.#early.delete(revision);
      }
    }

    return apply === null && send === null && committed === null
      ? NONE
      : Object.freeze({ apply: apply ?? [], send, committed: committed ?? [], revisions: revisions ?? [] });
  }

  /** @returns {Submission | null} the buffer's submission, now in flight, or null */
  #acknowledged() {
    this.#inflight = this.#pending.shift() ?? null;
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
    for (let i = 0; i < this.#pending.length; i++) {
      [remote, this.#pending[i]] = TextOperation.transform(remote, this.#pending[i]);
    }

    return remote;
  }
}
