// @ts-check
/**
 * A model of the server authority for the sync simulation: the JavaScript twin of
 * src/Ot/Sync/ServerAuthority.cs (a plain string stands in for its TextDocument). A submit
 * based on revision b is transformed against each committed op b+1 … R in turn (never their
 * composition), applied, and committed as R+1; a retry of a (clientId, seq) still in the kept
 * history gets the first commit's revision. Not a test file (node --test runs it as an empty one).
 */
import { InvalidTextOperationError, TextOperation } from '../js/text-operation.js';

/**
 * @typedef {{ revision: number, op: TextOperation, clientId: string, seq: number,
 *   baseRevision: number, submitted: TextOperation }} CommittedOp
 * @typedef {'InvalidOperation' | 'FutureRevision' | 'RevisionTooOld' | 'SeqReused'} SubmitError
 * @typedef {{ accepted: true, revision: number, op: TextOperation | null, isDuplicate: boolean }
 *   | { accepted: false, error: SubmitError, message: string }} SubmitResult
 */

export class ServerAuthority {
  /** Committed ops, oldest first; history[i] produced revision firstRevision + i. @type {CommittedOp[]} */
  #history = [];
  #firstRevision;
  /** Every commit still in the kept history, by `${clientId}\u0000${seq}`. @type {Map<string, CommittedOp>} */
  #bySeq = new Map();
  #maxHistory;

  /**
   * @param {string} text the text at `revision`
   * @param {number} [revision]
   * @param {number} [maxHistory] how many ops back a submit may be based
   */
  constructor(text, revision = 0, maxHistory = 1000) {
    this.text = text;
    this.revision = revision;
    this.#maxHistory = maxHistory;
    this.#firstRevision = revision + 1;
  }

  /** The oldest base revision a submit may have. */
  get oldestBaseRevision() {
    return Math.max(this.#firstRevision - 1, this.revision - this.#maxHistory);
  }

  /** @returns {readonly CommittedOp[]} the committed ops kept, oldest first */
  get history() {
    return this.#history;
  }

  /**
   * Commits `op`, submitted by `clientId` as its `seq`th op against `baseRevision`, or recognises
   * a retry of one committed before. A rejection changes nothing.
   * @param {string} clientId
   * @param {number} seq
   * @param {number} baseRevision
   * @param {TextOperation} op
   * @returns {SubmitResult}
   */
  submit(clientId, seq, baseRevision, op) {
    const previous = this.#bySeq.get(key(clientId, seq));
    if (previous !== undefined) {
      return previous.baseRevision === baseRevision && previous.submitted.equals(op)
        ? { accepted: true, revision: previous.revision, op: null, isDuplicate: true }
        : { accepted: false, error: 'SeqReused', message: `seq ${seq} was already used for a different op.` };
    }

    if (baseRevision < 0 || baseRevision > this.revision) {
      return { accepted: false, error: 'FutureRevision', message: `base revision ${baseRevision} is outside 0…${this.revision}.` };
    }

    if (baseRevision < this.oldestBaseRevision) {
      return {
        accepted: false,
        error: 'RevisionTooOld',
        message: `base revision ${baseRevision} is older than the oldest kept, ${this.oldestBaseRevision}.`,
      };
    }

    let transformed = op;
    let text;
    try {
      for (let i = baseRevision - (this.#firstRevision - 1); i < this.#history.length; i++) {
        [, transformed] = TextOperation.transform(this.#history[i].op, transformed);
      }

      text = transformed.apply(this.text);
    } catch (e) {
      if (e instanceof InvalidTextOperationError) {
        return { accepted: false, error: 'InvalidOperation', message: e.message };
      }

      throw e;
    }

    this.text = text;
    this.revision++;
    const committed = { revision: this.revision, op: transformed, clientId, seq, baseRevision, submitted: op };
    this.#history.push(committed);
    this.#bySeq.set(key(clientId, seq), committed);
    this.#trim();
    return { accepted: true, revision: this.revision, op: transformed, isDuplicate: false };
  }

  /**
   * The kept committed ops after `revision`, oldest first.
   * @param {number} revision
   * @returns {CommittedOp[]}
   */
  since(revision) {
    if (revision < this.oldestBaseRevision || revision > this.revision) {
      throw new RangeError(`since: kept revisions are ${this.oldestBaseRevision}…${this.revision}, got ${revision}.`);
    }

    return this.#history.slice(revision - (this.#firstRevision - 1));
  }

  #trim() {
    // Drop in chunks so trimming stays amortised O(1) per commit.
    if (this.#history.length <= this.#maxHistory + Math.max(16, Math.floor(this.#maxHistory / 4))) {
      return;
    }

    const drop = this.#history.length - this.#maxHistory;
    for (const old of this.#history.splice(0, drop)) {
      this.#bySeq.delete(key(old.clientId, old.seq));
    }

    this.#firstRevision += drop;
  }
}

/**
 * @param {string} clientId
 * @param {number} seq
 */
function key(clientId, seq) {
  return `${clientId}\u0000${seq}`;
}
