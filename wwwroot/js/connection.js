// @ts-check
// Wires one document to the server: SignalR (WebSockets, MessagePack) + the OT client state
// machine + the copy kept on the device. Local edits go in with applyLocal(op); remote ops come
// out through the sink given to attach(), already transformed for the local text. The DOM lives
// in editor.js.
//
// No local edit is lost: each is written to the device (device-store.js) before the status calls
// it saved; a reload, a closed tab or a crash resumes from there and resends what was in flight
// with the same clientId and seq, so the server counts it once. An op the server refuses is taken
// back alone (the later edits are kept and sent). A deleted document leaves the text on screen.

import { HubConnectionBuilder, HttpTransportType, LogLevel, MessagePackHubProtocol } from '../lib/vendor.js';
import { TextOperation } from './text-operation.js';
import { OtClient, ClientState } from './client.js';
import { applyToText, invertOnText, textOf } from './changes.js';
import { holdClientLock } from './device-store.js';

/** @typedef {{ peerId: string, name: string, color: string, anchor: number, head: number, revision: number }} PeerPresence */
/** @typedef {'connecting' | 'connected' | 'reconnecting' | 'offline' | 'deleted' | 'stale' | 'revoked'} ConnectionStatus */
/** @typedef {{ maxOpLength: number, maxDocumentLength: number, maxOpComponents?: number }} Limits */
/** @typedef {import('./device-store.js').DeviceStore} DeviceStore */
/** @typedef {import('./device-store.js').DraftWriter} DraftWriter */

const HUB = '/hubs/collab';

/** The error code of a hub error (SignalR wraps it: "… HubException: code: reason"). */
export function errorCode(/** @type {unknown} */ error) {
  const message = error instanceof Error ? error.message : String(error);
  const match = /(?:HubException: )?(not-found|invalid-op|revision-too-old|too-large|forbidden|rate-limited|unavailable|quota-exceeded):/.exec(message);
  return match ? match[1] : null;
}

/** What each refusal means to a person, in plain words. */
const REFUSALS = /** @type {Record<string, string>} */ ({
  'too-large': 'it was larger than the server accepts',
  'invalid-op': 'the server could not apply it',
  'quota-exceeded': 'the document is full: its history reached the server\'s storage quota',
});

/** A random, unguessable id for one tab's edits, never shown to other clients. */
export function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class DocumentConnection extends EventTarget {
  /** @type {import('@microsoft/signalr').HubConnection} */
  #hub;
  /** @type {OtClient | null} */
  #client = null;
  #clientId = '';
  /** True once the document is open on the current connection: sends wait until then. */
  #ready = false;
  /** The server's text at the client's revision (a CodeMirror Text), to take back a refused op. @type {any} */
  #serverText = null;
  /** @type {DraftWriter | null} */
  #draft = null;
  /**
   * Seqs that may have been committed without our knowing: sent on a connection that died, or
   * restored from the device. Refused as too old, such an op cannot be resent safely.
   * @type {Set<number>}
   */
  #uncertain = new Set();
  /** Seqs transmitted on the current connection. @type {Set<number>} */
  #transmitted = new Set();
  /** The highest seq the device is known to hold (restored, or written before it was sent). */
  #writtenSeq = 0;
  /** The newest local edit is on the device (or there is none). */
  #savedLocally = true;
  /** Local edits (not keystrokes: see markEdit) made since the client was last synchronized. */
  #edits = 0;
  /** @type {((ops: readonly TextOperation[], revisions: readonly (number | null)[]) => void) | null} */
  #sink = null;
  /** Ops for the editor that arrived before it was attached, with their revisions. @type {TextOperation[]} */
  #early = [];
  /** @type {(number | null)[]} */
  #earlyRevisions = [];
  /** The peer each remote op not yet applied came from, as its broadcast said, by revision. @type {Map<number, string>} */
  #peerOf = new Map();
  /** @type {{ name: string, color: string, anchor: number, head: number } | null} our selection, waiting to be sent */
  #ownPresence = null;
  /** @type {{ anchor: number, head: number, revision: number } | null} the selection we reported last */
  #lastPresence = null;
  /** @type {Map<string, PeerPresence>} peers' presence based on revisions we have not applied yet */
  #earlyPresence = new Map();
  #saveTimer = 0;
  #stopped = false;
  /** @type {ConnectionStatus} */
  status = 'connecting';
  peerId = '';
  title = '';
  /**
   * Our role on the document, as the server last said: 'owner', 'editor' or 'viewer'. Until it
   * says (a document opened offline from this device), editing is allowed: the server checks
   * every edit when they are sent.
   */
  role = 'editor';
  /** The name the server shows for us (an account's display name; a guest's, marked as a guest). */
  shownName = '';
  /** Ops that arrived before the client existed (between joining the document and Open's answer). @type {[number, unknown][]} */
  #beforeOpen = [];

  /**
   * @param {string} documentId
   * @param {{ name: string, color: string }} me
   * @param {{ store: DeviceStore | null, limits: Limits, title: string, link?: string | null }} options
   */
  constructor(documentId, me, options) {
    super();
    this.documentId = documentId;
    this.me = me;
    this.store = options.store;
    this.limits = options.limits;
    this.title = options.title;
    this.#hub = new HubConnectionBuilder()
      .withUrl(options.link ? `${HUB}?link=${encodeURIComponent(options.link)}` : HUB, { transport: HttpTransportType.WebSockets, skipNegotiation: true })
      .withHubProtocol(new MessagePackHubProtocol())
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(250 * (ctx.previousRetryCount + 1), 2000) })
      .configureLogging(LogLevel.None)
      .build();
    // The server pings every 2 s: two missed pings mean the link is dead.
    this.#hub.keepAliveIntervalInMilliseconds = 2000;
    this.#hub.serverTimeoutInMilliseconds = 4000;

    this.#hub.on('Op', (/** @type {string} */ doc, /** @type {number} */ revision, /** @type {unknown} */ op, /** @type {string} */ peerId) => {
      if (doc !== this.documentId) return;
      if (typeof peerId === 'string') this.#peerOf.set(revision, peerId);
      if (this.#client) this.#step(this.#client.receiveOp(revision, TextOperation.fromJSON(op)));
      else this.#beforeOpen.push([revision, op]);
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
    // Someone restored an earlier revision (REST restore): the page says who, beside the change.
    // Sent after the restore's Op, to everyone with the document open, the restorer included.
    this.#hub.on('Restored', (/** @type {string} */ doc, /** @type {number} */ revision, /** @type {number} */ fromRevision, /** @type {string} */ by, /** @type {string | null} */ byAccountId) => {
      if (doc !== this.documentId) return;
      this.#emit('restored', { revision, fromRevision, by, byAccountId });
    });
    this.#hub.on('DocumentDeleted', (/** @type {string} */ doc) => {
      if (doc === this.documentId) this.#end('deleted');
    });
    // The server closed the document on this connection: our access was revoked. No more ops come.
    this.#hub.on('AccessRevoked', (/** @type {string} */ doc) => {
      if (doc === this.documentId) this.#end('revoked');
    });
    this.#hub.on('AccessChanged', (/** @type {string} */ doc, /** @type {string} */ role) => {
      if (doc !== this.documentId) return;
      this.role = role;
      this.#emit('role', role);
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
      if (this.#stopped) return;
      this.#setStatus('offline');
      setTimeout(() => this.#restart(), 1000);
    });
    if (typeof window !== 'undefined') {
      // Leaving the page: whatever changed since the last write goes to the device now.
      window.addEventListener('pagehide', () => {
        this.#writeDraft();
      });
      // The browser knows before any keep-alive is missed: say so at once, and try again as soon
      // as it is back.
      window.addEventListener('offline', () => {
        if (this.#isLive()) this.#setStatus('offline');
      });
      window.addEventListener('online', () => {
        if (this.#stopped) return;
        if (this.#hub.state === 'Disconnected') this.#restart();
        else if (this.#ready) this.#setStatus('connected');
      });
    }
  }

  /** Edits not yet acknowledged by the server (edits, not keystrokes). */
  get unsent() {
    return this.#client && this.#client.state !== ClientState.Synchronized ? Math.max(this.#edits, 1) : 0;
  }

  /** True while some edit exists only in this page: neither acknowledged nor on the device. */
  get atRisk() {
    return this.unsent > 0 && (!this.#savedLocally || !this.#draft || this.#draft.failed);
  }

  /** Whether the newest local edit has been written to the device. */
  get savedLocally() {
    return this.#savedLocally && this.keepsDrafts;
  }

  /** Whether this browser keeps unsent edits on the device. */
  get keepsDrafts() {
    return this.#draft !== null && !this.#draft.failed;
  }

  get revision() {
    return this.#client?.revision ?? 0;
  }

  /** The connection's state in one line, for diagnostics (tests print it when a wait fails). */
  describe() {
    return JSON.stringify({
      status: this.status, ready: this.#ready, hub: this.#hub.state, client: this.#client?.snapshot(), awaitingResend: this.#client?.awaitingResend,
      waiting: this.#client?.waitingCount, edits: this.#edits, savedLocally: this.#savedLocally, draftFailed: this.#draft?.failed ?? null,
    });
  }

  /** Durations of the device writes so far, in ms. */
  get saveTimings() {
    return this.#draft?.timings ?? [];
  }

  /**
   * Loads the document: the draft this device kept, if any (its unsent edits resent), else the
   * server's text; offline, the draft alone. Resolves with the text to show.
   * @returns {Promise<{ text: string, revision: number, peers: PeerPresence[], restoredEdits: number }>}
   */
  async start() {
    const adopted = this.store ? await this.store.adopt(this.documentId).catch(() => null) : null;
    /** @type {string | null} */
    let localText = null;
    let restoredEdits = 0;
    const restored = adopted ? this.#restore(adopted) : null;
    if (adopted && restored) {
      localText = restored.text;
      restoredEdits = restored.edits;
    } else {
      this.#clientId = newClientId();
      if (this.store) {
        await holdClientLock(this.#clientId);
        this.#draft = this.store.writer(this.documentId, this.#clientId);
      }
    }

    try {
      await this.#hub.start();
      const opened = await this.#hub.invoke('Open', this.documentId, this.me.name);
      this.peerId = opened.peerId;
      this.role = opened.role;
      this.shownName = opened.name;
      if (this.#client && (this.#client.state !== ClientState.Synchronized || opened.revision === this.#client.revision)) {
        // Our draft goes on from its own revision: resend what was in flight, then catch up.
        this.#ready = true;
        this.#setStatus('connected');
        const inFlight = this.#client.sent;
        if (inFlight) this.#send(inFlight);
        if (this.role !== 'viewer') this.#afterOpen(this.#catchup());
        this.#saveSoon();
        return { text: /** @type {string} */ (localText), revision: this.#client.revision, peers: opened.peers, restoredEdits };
      }
      // Nothing unsent on the device: the server's text is newer. The device's copy starts
      // again from it (a new base text), not from the old one.
      this.#client = new OtClient(opened.revision, this.#client ? this.#client.snapshot().lastSeq : 0, { maxInsert: this.limits.maxOpLength, maxComponents: this.limits.maxOpComponents });
      this.#serverText = textOf(opened.text);
      if (this.store && this.#draft) this.#draft = this.store.writer(this.documentId, this.#clientId);
      this.#ready = true;
      this.#setStatus('connected');
      // Ops committed between the group join and the answer arrived before the client existed.
      const early = this.#beforeOpen.filter(([revision]) => revision > opened.revision).sort((a, b) => a[0] - b[0]);
      this.#beforeOpen = [];
      for (const [revision, op] of early) this.#step(this.#client.receiveOp(revision, TextOperation.fromJSON(op)));
      // A viewer may not read the history: what it missed comes live, or with the next Open.
      if (this.role !== 'viewer') this.#afterOpen(this.#catchup());
      this.#saveSoon();
      return { text: opened.text, revision: opened.revision, peers: opened.peers, restoredEdits: 0 };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'not-found') {
        if (localText === null) throw error;
        // Deleted while this device had it: show what we have, read-only.
        queueMicrotask(() => this.#end('deleted'));
        return { text: localText, revision: this.revision, peers: [], restoredEdits };
      }
      if (localText === null || code) throw error;
      // Offline: carry on from the device and connect when the network is back.
      this.#setStatus('offline');
      setTimeout(() => this.#restart(), 1000);
      return { text: localText, revision: this.revision, peers: [], restoredEdits };
    }
  }

  /**
   * Takes over a draft from the device: the server's text it kept (base text and the ops after
   * it, which must reach the client's revision without a gap), the client, and the local text.
   * Null when the draft does not hold together; it is then left alone and a new one started.
   * @param {import('./device-store.js').AdoptedDraft} adopted
   * @returns {{ text: string, edits: number } | null}
   */
  #restore(adopted) {
    try {
      const client = OtClient.restore(adopted.client, { maxInsert: this.limits.maxOpLength, maxComponents: this.limits.maxOpComponents });
      let serverText = textOf(adopted.text);
      let revision = client.revision - adopted.log.length;
      for (const entry of adopted.log) {
        if (entry.revision !== ++revision) throw new Error('the device copy has a gap');
        serverText = applyToText(serverText, TextOperation.fromJSON(entry.op));
      }
      let local = serverText;
      if (client.inflight) local = applyToText(local, client.inflight);
      for (const op of client.pendingOps) local = applyToText(local, op);

      this.#clientId = adopted.clientId;
      this.title = this.title || adopted.title;
      this.#client = client;
      this.#serverText = serverText;
      this.#writtenSeq = client.snapshot().lastSeq;
      if (client.sent) this.#uncertain.add(client.sent.seq);
      const edits = client.state === ClientState.Synchronized ? 0 : Math.max(adopted.edits, 1);
      this.#edits = edits;
      if (this.store) {
        this.#draft = this.store.writer(this.documentId, this.#clientId);
        this.#draft.continueFrom(adopted.log.length);
      }
      return { text: local.toString(), edits };
    } catch {
      this.#client = null;
      return null;
    }
  }

  /**
   * Gives the connection the editor's way to apply ops (already transformed for the local text,
   * kept out of the undo history), each with the revision it was committed as (null: the take-back
   * of a refused op of ours). Ops that arrived before are applied now.
   * @param {(ops: readonly TextOperation[], revisions: readonly (number | null)[]) => void} sink
   */
  attach(sink) {
    this.#sink = sink;
    if (this.#early.length > 0) sink(this.#early.splice(0), this.#earlyRevisions.splice(0));
  }

  /**
   * The peer whose op was committed as `revision`, as its broadcast said (undefined for an op
   * caught up on, which names none). Asked once: forgotten after.
   * @param {number} revision
   */
  takePeer(revision) {
    const peerId = this.#peerOf.get(revision);
    // Ops are applied in revision order: anything older (a duplicate dropped) is never asked for.
    for (const known of this.#peerOf.keys()) if (known <= revision) this.#peerOf.delete(known);
    return peerId;
  }

  /** Who wrote what at the server's current revision, with the author of each peer present (hub `Authorship`). */
  authorship() {
    return this.#hub.invoke('Authorship', this.documentId);
  }

  /**
   * A local edit, already applied to the editor's text. `newEdit` starts a new edit in the
   * count shown to the user (a pause or a different kind of change), else it joins the last one.
   * @param {TextOperation} op
   * @param {boolean} [newEdit]
   */
  applyLocal(op, newEdit = true) {
    if (!this.#client || op.isNoop || this.#isEnded()) return;
    if (newEdit || this.#client.state === ClientState.Synchronized) this.#edits++;
    const send = this.#client.applyLocal(op);
    if (send) this.#send(send);
    this.#saveNow();
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
   * Renames us in place: later edits and our caret carry the new name. Sent at once, ahead of
   * any later submit (the server runs one connection's calls in order), with our last reported
   * selection; the selection is corrected when our edits are acknowledged.
   * @param {string} name
   */
  rename(name) {
    this.me = { ...this.me, name };
    if (this.#ownPresence) this.#ownPresence = { ...this.#ownPresence, name };
    const last = this.#lastPresence;
    if (this.#ready && this.#client && this.role !== 'viewer') {
      const presence = { name, color: this.me.color, anchor: last?.anchor ?? 0, head: last?.head ?? 0, revision: last?.revision ?? this.#client.revision };
      this.#hub.invoke('SetPresence', this.documentId, presence).catch(() => {});
    }
    this.#flushPresence();
  }

  /**
   * A peer's presence in our local text: for a revision we have applied, mapped through our own
   * unacknowledged edits (a remote caret stays before our text typed at it).
   * @param {PeerPresence} presence
   */
  placePresence(presence) {
    let { anchor, head } = presence;
    for (const op of [this.#client?.inflight, ...(this.#client?.pendingOps ?? [])]) {
      if (!op) continue;
      anchor = op.transformIndex(Math.min(anchor, op.baseLength), false);
      head = op.transformIndex(Math.min(head, op.baseLength), false);
    }
    return { ...presence, anchor, head };
  }

  /** Our edits the server has not acknowledged, in order: the local text is the server's text at `revision` with these applied. */
  localOps() {
    const client = this.#client;
    return client ? [client.inflight, ...client.pendingOps].filter((op) => op !== null) : [];
  }

  /** Deletes this tab's draft from the device (its text was downloaded or saved elsewhere). */
  async forgetDraft() {
    await this.#draft?.remove().catch(() => {});
    this.#draft = null;
  }

  async close() {
    this.#stopped = true;
    this.#ready = false;
    await this.#hub.stop();
  }

  #flushPresence() {
    const client = this.#client;
    if (this.role === 'viewer' || !this.#ready || !client || !this.#ownPresence || client.state !== ClientState.Synchronized) return;
    const presence = { ...this.#ownPresence, revision: client.revision };
    this.#ownPresence = null;
    this.#lastPresence = presence;
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

  /**
   * Sends a submission, once the device knows it exists: a page that restores this tab's draft
   * must know every seq that may have reached the server, or it would take its own committed op
   * for someone else's. So a new seq is written to the device before it is sent.
   * @param {{ seq: number, baseRevision: number, op: TextOperation }} submission
   */
  #send(submission) {
    if (!this.#ready) return; // Goes out on the next connection.
    const draft = this.#draft;
    if (!draft || draft.failed || submission.seq <= this.#writtenSeq) {
      this.#transmit(submission);
      return;
    }
    let seq = 0;
    draft.save(() => {
      const state = this.#draftState();
      seq = state.client.lastSeq;
      return state;
    }).then(() => {
      if (!draft.failed) this.#writtenSeq = Math.max(this.#writtenSeq, seq);
      if (this.#ready && this.#client?.sent === submission) this.#transmit(submission);
    });
  }

  /** @param {{ seq: number, baseRevision: number, op: TextOperation }} submission */
  #transmit(submission) {
    this.#transmitted.add(submission.seq);
    const hub = this.#hub;
    hub.invoke('Submit', this.documentId, this.#clientId, submission.seq, submission.baseRevision, submission.op.toJSON())
      .then((ack) => {
        if (hub === this.#hub && this.#client) this.#step(this.#client.receiveAck(submission.seq, ack.revision));
      })
      .catch((error) => {
        const code = errorCode(error);
        if (code === 'rate-limited' || code === 'unavailable') {
          setTimeout(() => { if (this.#client?.sent === submission && this.#ready) this.#transmit(submission); }, 200);
        } else if (code === 'not-found') {
          this.#end('deleted');
        } else if (this.#client?.sent !== submission) {
          // Refused, but no longer what is in flight (sent twice around a reconnect): the current
          // one has its own answer.
        } else if (code === 'revision-too-old') {
          // Sent once and refused: it was never committed, and it is already transformed past
          // everything since, so it goes again on our current revision. Otherwise it may be in
          // the document already, and nothing can tell: keep the text, stop editing.
          const client = this.#client;
          if (client && !this.#uncertain.has(submission.seq)) {
            const again = client.rebaseInflight();
            if (again) this.#send(again);
          } else {
            this.#end('stale');
          }
        } else if (code === 'forbidden') {
          // Not open on this connection (it was replaced meanwhile): open again and resend.
          if (this.#ready) this.#reopen();
        } else if (code) {
          this.#takeBack(code);
        }
        // Otherwise the connection dropped: the reconnect resends it.
      });
  }

  /** The server refused the op in flight: undo exactly it, keep and send everything after it. @param {string} code */
  #takeBack(code) {
    const client = /** @type {OtClient} */ (this.#client);
    const inflight = client.inflight;
    if (!inflight) return;
    const step = client.rejectInflight(invertOnText(inflight, this.#serverText));
    this.#step(step);
    this.#emit('refused', `An edit was not accepted (${REFUSALS[code] ?? code}), so it was taken back. Everything else you typed is kept and being saved.`);
  }

  /**
   * @param {import('./client.js').ClientStep} step
   */
  #step(step) {
    const client = /** @type {OtClient} */ (this.#client);
    if (step.committed && step.committed.length > 0) {
      let revision = client.revision - step.committed.length;
      const logged = [];
      for (const op of step.committed) {
        this.#serverText = applyToText(this.#serverText, op);
        logged.push({ revision: ++revision, op: op.toJSON() });
      }
      this.#draft?.addCommitted(logged);
      this.#emit('committed', client.revision);
    }
    if (step.apply.length > 0) {
      const revisions = step.revisions ?? step.apply.map(() => null);
      if (this.#sink) this.#sink(step.apply, revisions);
      else { this.#early.push(...step.apply); this.#earlyRevisions.push(...revisions); }
    }
    if (step.send) this.#send(step.send);
    this.#releasePresence();
    this.#flushPresence();
    if (client.state === ClientState.Synchronized && this.#edits > 0) {
      // Everything is acknowledged: say so on the device at once, so a reload does not resend it.
      this.#edits = 0;
      this.#saveNow();
    } else {
      this.#saveSoon();
    }
    this.#emit('status', this.status);
  }

  /** Writes the draft now: a local edit is not saved until this resolves. */
  #saveNow() {
    const draft = this.#draft;
    if (!draft || !this.#client) return;
    this.#savedLocally = false;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = 0;
    this.#writeDraft().then(() => {
      if (draft === this.#draft && !draft.failed) this.#savedLocally = true;
      this.#emit('status', this.status);
    });
  }

  /** Writes the draft shortly: acks and others' ops are safe on the server, so they can wait. */
  #saveSoon() {
    if (!this.#draft || this.#saveTimer) return;
    this.#saveTimer = window.setTimeout(() => {
      this.#saveTimer = 0;
      this.#writeDraft();
    }, 500);
  }

  /** Writes the current state to the device (coalesced with a write already running). */
  #writeDraft() {
    return this.#draft && this.#client ? this.#draft.save(() => this.#draftState()) : Promise.resolve();
  }

  #draftState() {
    const client = /** @type {OtClient} */ (this.#client);
    return { title: this.title, edits: this.#edits, client: client.snapshot(), serverText: () => this.#serverText.toString() };
  }

  /** @param {Promise<void>} catchup */
  #afterOpen(catchup) {
    catchup.catch((error) => {
      const code = errorCode(error);
      if (code === 'not-found') this.#end('deleted');
    });
  }

  async #reopen() {
    // What was sent on the old connection may or may not have arrived.
    for (const seq of this.#transmitted) this.#uncertain.add(seq);
    this.#transmitted.clear();
    try {
      const opened = await this.#hub.invoke('Open', this.documentId, this.me.name);
      this.peerId = opened.peerId;
      this.role = opened.role;
      if (this.role === 'viewer' && opened.revision !== this.#client?.revision) {
        // A viewer cannot catch up on what it missed (that is history), and has nothing unsent:
        // the page starts again from the server's text.
        this.#emit('reload', opened.revision);
        return;
      }
      this.#ready = true;
      this.#setStatus(navigator.onLine ? 'connected' : 'offline');
      this.#emit('peers', opened.peers);
      // The in-flight op, unchanged (same seq, base, op), or one made while disconnected.
      const inFlight = this.#client?.sent;
      if (inFlight) this.#send(inFlight);
      await this.#catchup();
    } catch (error) {
      const code = errorCode(error);
      if (code === 'revision-too-old') this.#end('stale');
      else if (code === 'not-found') this.#end('deleted');
    }
  }

  async #restart() {
    if (this.#hub.state !== 'Disconnected' || this.#stopped || this.#isEnded()) return;
    try {
      this.#client?.reconnect();
      await this.#hub.start();
      await this.#reopen();
    } catch {
      setTimeout(() => this.#restart(), 1000);
    }
  }

  /**
   * Asks for every op after our revision. The server cuts long answers by size, so this asks
   * again from the last revision received until an answer is empty. (While a resend waits for its
   * ack, received ops wait in the client, so "received" is not the client's revision.)
   */
  async #catchup() {
    if (!this.#client) return;
    const hub = this.#hub;
    let from = this.#client.revision;
    while (hub === this.#hub && this.#client) {
      const ops = await hub.invoke('Catchup', this.documentId, from);
      if (ops.length === 0) return;
      for (const committed of ops) {
        this.#step(this.#client.receiveOp(committed.revision, TextOperation.fromJSON(committed.op)));
        from = Math.max(from, committed.revision);
      }
    }
  }

  /** The document can no longer be edited here ('deleted'; 'stale': too far behind to merge; 'revoked': our access was taken away). @param {'deleted' | 'stale' | 'revoked'} why */
  #end(why) {
    if (this.#isEnded()) return;
    this.#ready = false;
    this.#stopped = true;
    this.#setStatus(why);
    this.#hub.stop().catch(() => {});
  }

  #isEnded() {
    return this.status === 'deleted' || this.status === 'stale' || this.status === 'revoked';
  }

  #isLive() {
    return !this.#stopped && !this.#isEnded();
  }

  /** @param {ConnectionStatus} status */
  #setStatus(status) {
    if (this.#isEnded() && status !== this.status) return;
    this.status = status === 'connected' && typeof navigator !== 'undefined' && !navigator.onLine ? 'offline' : status;
    this.#emit('status', this.status);
  }

  /** @param {string} type @param {unknown} detail */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
