// @ts-check
// Wires one document to the server: SignalR (WebSockets, MessagePack) + the OT client state machine.
// Local edits go in with applyLocal(op); remote ops come out as 'remote' events, already
// transformed for the local text. The DOM lives in editor.js.

import { HubConnectionBuilder, HttpTransportType, LogLevel, MessagePackHubProtocol } from '../lib/vendor.js';
import { TextOperation } from './text-operation.js';
import { OtClient, ClientState } from './client.js';

/** @typedef {{ peerId: string, name: string, color: string, anchor: number, head: number, revision: number }} PeerPresence */
/** @typedef {'connecting' | 'connected' | 'reconnecting' | 'offline'} ConnectionStatus */

const HUB = '/hubs/collab';

/** The error code of a hub error (SignalR wraps it: "… HubException: code: reason"). */
export function errorCode(/** @type {unknown} */ error) {
  const message = error instanceof Error ? error.message : String(error);
  const match = /(?:HubException: )?(not-found|invalid-op|revision-too-old|too-large|forbidden|rate-limited|unavailable):/.exec(message);
  return match ? match[1] : null;
}

/** A random, unguessable id, chosen once per page load and never shown to other clients. */
function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class DocumentConnection extends EventTarget {
  /** @type {import('@microsoft/signalr').HubConnection} */
  #hub;
  /** @type {OtClient | null} */
  #client = null;
  #clientId = newClientId();
  /** True once the document is open on the current connection: sends wait until then. */
  #ready = false;
  /** @type {Map<number, number>} seq of a sent submission → how many local edits it carries */
  #editsBySeq = new Map();
  /** Local edits made since the last submission was created (they are in the buffer). */
  #editsInBuffer = 0;
  /** @type {{ name: string, color: string, anchor: number, head: number } | null} our selection, waiting to be sent */
  #ownPresence = null;
  /** @type {Map<string, PeerPresence>} peers' presence based on revisions we have not applied yet */
  #earlyPresence = new Map();
  /** @type {ConnectionStatus} */
  status = 'connecting';
  peerId = '';

  /**
   * @param {string} documentId
   * @param {{ name: string, color: string }} me
   */
  constructor(documentId, me) {
    super();
    this.documentId = documentId;
    this.me = me;
    this.#hub = new HubConnectionBuilder()
      .withUrl(HUB, { transport: HttpTransportType.WebSockets, skipNegotiation: true })
      .withHubProtocol(new MessagePackHubProtocol())
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(250 * (ctx.previousRetryCount + 1), 2000) })
      .configureLogging(LogLevel.Warning)
      .build();
    // Notice a dead connection (e.g. the network went away) within seconds, not 30.
    this.#hub.keepAliveIntervalInMilliseconds = 2000;
    this.#hub.serverTimeoutInMilliseconds = 6000;

    this.#hub.on('Op', (/** @type {string} */ doc, /** @type {number} */ revision, /** @type {unknown} */ op) => {
      if (doc === this.documentId && this.#client) this.#step(this.#client.receiveOp(revision, TextOperation.fromJSON(op)));
    });
    this.#hub.on('Presence', (/** @type {string} */ doc, /** @type {PeerPresence} */ presence) => {
      if (doc !== this.documentId) return;
      this.#earlyPresence.set(presence.peerId, presence);
      this.#releasePresence();
    });
    this.#hub.on('PeerLeft', (/** @type {string} */ doc, /** @type {string} */ peerId) => {
      if (doc !== this.documentId) return;
      this.#earlyPresence.delete(peerId);
      this.#emit('peerleft', peerId);
    });
    this.#hub.onreconnecting(() => {
      // Enter "awaiting resend" before the new connection can deliver anything: our in-flight op
      // may have committed through the old one and arrive as an ordinary op.
      this.#ready = false;
      this.#client?.reconnect();
      this.#setStatus(navigator.onLine ? 'reconnecting' : 'offline');
    });
    this.#hub.onreconnected(() => this.#reopen());
    this.#hub.onclose(() => {
      this.#ready = false;
      this.#setStatus('offline');
      setTimeout(() => this.#restart(), 1000);
    });
  }

  /** Number of local edits the server has not acknowledged yet. */
  get unsent() {
    const inFlight = this.#client?.sent?.seq;
    let count = this.#editsInBuffer;
    for (const [seq, edits] of this.#editsBySeq) {
      if (inFlight !== undefined && seq >= inFlight) count += edits;
    }
    return count;
  }

  get revision() {
    return this.#client?.revision ?? 0;
  }

  /**
   * Connects and opens the document. Resolves with its text and the peers already here.
   * @returns {Promise<{ text: string, revision: number, peers: PeerPresence[] }>}
   */
  async start() {
    await this.#hub.start();
    const opened = await this.#hub.invoke('Open', this.documentId, this.me.name);
    this.#client = new OtClient(opened.revision);
    this.peerId = opened.peerId;
    this.#ready = true;
    this.#setStatus('connected');
    // Ops committed between the group join and the answer were broadcast before we listened.
    await this.#catchup();
    return { text: opened.text, revision: opened.revision, peers: opened.peers };
  }

  /**
   * A local edit, already applied to the editor's text.
   * @param {TextOperation} op
   */
  applyLocal(op) {
    if (!this.#client || op.isNoop) return;
    this.#editsInBuffer++;
    const send = this.#client.applyLocal(op);
    if (send) this.#send(send);
    this.#emit('status', this.status);
  }

  /**
   * Reports our selection (offsets in the local text). It is sent when all our edits are
   * acknowledged, so the offsets are in the server's text at our revision, which others can place.
   * @param {{ name: string, color: string, anchor: number, head: number }} presence
   */
  setPresence(presence) {
    this.#ownPresence = presence;
    this.#flushPresence();
  }

  /**
   * A peer's presence in our local text: for a revision we have applied, mapped through our own
   * unacknowledged edits (a remote caret stays before our text typed at it).
   * @param {PeerPresence} presence
   */
  placePresence(presence) {
    let { anchor, head } = presence;
    for (const op of [this.#client?.inflight, this.#client?.buffer]) {
      if (!op) continue;
      anchor = op.transformIndex(Math.min(anchor, op.baseLength), false);
      head = op.transformIndex(Math.min(head, op.baseLength), false);
    }
    return { ...presence, anchor, head };
  }

  #flushPresence() {
    const client = this.#client;
    if (!this.#ready || !client || !this.#ownPresence || client.state !== ClientState.Synchronized) return;
    const presence = { ...this.#ownPresence, revision: client.revision };
    this.#ownPresence = null;
    this.#hub.invoke('SetPresence', this.documentId, presence).catch(() => {});
  }

  /** Emits peers' presence whose revision we have reached. */
  #releasePresence() {
    const revision = this.#client?.revision ?? 0;
    for (const [peerId, presence] of this.#earlyPresence) {
      if ((presence.revision ?? 0) <= revision) {
        this.#earlyPresence.delete(peerId);
        this.#emit('presence', this.placePresence(presence));
      }
    }
  }

  async close() {
    this.#ready = false;
    await this.#hub.stop();
  }

  /** @param {{ seq: number, baseRevision: number, op: TextOperation }} submission */
  #send(submission) {
    if (!this.#editsBySeq.has(submission.seq)) {
      this.#editsBySeq.set(submission.seq, this.#editsInBuffer);
      this.#editsInBuffer = 0;
    }

    if (!this.#ready) return; // Goes out on the next connection.
    const hub = this.#hub;
    hub.invoke('Submit', this.documentId, this.#clientId, submission.seq, submission.baseRevision, submission.op.toJSON())
      .then((ack) => {
        if (hub === this.#hub && this.#client) this.#step(this.#client.receiveAck(submission.seq, ack.revision));
      })
      .catch((error) => {
        const code = errorCode(error);
        if (code === 'rate-limited' || code === 'unavailable') {
          setTimeout(() => { if (this.#client?.sent === submission) this.#send(submission); }, 200);
        } else if (code) {
          this.#emit('fatal', `The server refused an edit (${code}). Reload to continue.`);
        }
        // Otherwise the connection dropped: the reconnect resends it.
      });
  }

  /**
   * @param {{ apply: readonly TextOperation[], send: { seq: number, baseRevision: number, op: TextOperation } | null }} step
   */
  #step(step) {
    // Submissions older than the one in flight are acknowledged.
    const inFlight = this.#client?.sent?.seq ?? Infinity;
    for (const seq of this.#editsBySeq.keys()) {
      if (seq < inFlight) this.#editsBySeq.delete(seq);
    }

    if (step.apply.length > 0) this.#emit('remote', step.apply);
    if (step.send) this.#send(step.send);
    this.#releasePresence();
    this.#flushPresence();
    this.#emit('status', this.status);
  }

  async #reopen() {
    try {
      const opened = await this.#hub.invoke('Open', this.documentId, this.me.name);
      this.peerId = opened.peerId;
      this.#ready = true;
      this.#setStatus('connected');
      this.#emit('peers', opened.peers);
      // The in-flight op, unchanged (same seq, base, op), or one made while disconnected.
      const inFlight = this.#client?.sent;
      if (inFlight) this.#send(inFlight);
      await this.#catchup();
    } catch (error) {
      if (errorCode(error) === 'revision-too-old') this.#emit('fatal', 'This copy is too far behind. Reload to continue.');
    }
  }

  async #restart() {
    if (this.#hub.state !== 'Disconnected') return;
    try {
      this.#client?.reconnect();
      await this.#hub.start();
      await this.#reopen();
    } catch {
      setTimeout(() => this.#restart(), 1000);
    }
  }

  async #catchup() {
    if (!this.#client) return;
    const ops = await this.#hub.invoke('Catchup', this.documentId, this.#client.revision);
    for (const committed of ops) {
      this.#step(this.#client.receiveOp(committed.revision, TextOperation.fromJSON(committed.op)));
    }
  }

  /** @param {ConnectionStatus} status */
  #setStatus(status) {
    this.status = status;
    this.#emit('status', status);
  }

  /** @param {string} type @param {unknown} detail */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
