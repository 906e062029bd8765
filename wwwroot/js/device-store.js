// @ts-check
// What the browser keeps on the device (IndexedDB) so that no edit dies with the tab: per
// document and per tab (clientId), the OT client's state (what is in flight and what is not yet
// sent), the server's text at the client's revision (a base text plus the ops committed since),
// and the title. Written with every local edit; read back on the next load of the document,
// online or offline. A tab holds a Web Lock named after its clientId for its whole life, so a
// second tab of the same document never takes over (or overwrites) a living tab's edits: it
// adopts only drafts whose tab is gone.

const DB_NAME = 'collabedit';
const DB_VERSION = 1;
/** Rewrite the base text once this many committed ops are kept after it. */
const MAX_LOGGED_OPS = 200;

/**
 * @typedef {import('./client.js').ClientSnapshot} ClientSnapshot
 * @typedef {{ docId: string, clientId: string, title: string, updatedAt: number, edits: number, client: ClientSnapshot }} Draft
 * @typedef {{ docId: string, clientId: string, revision: number, text: string }} BaseText
 * @typedef {{ revision: number, op: unknown }} LoggedOp
 * @typedef {Draft & { text: string, log: LoggedOp[] }} AdoptedDraft
 */

/** @param {IDBRequest | IDBTransaction} request @returns {Promise<any>} */
function done(request) {
  return new Promise((resolve, reject) => {
    if ('oncomplete' in request) {
      request.oncomplete = () => resolve(undefined);
      request.onabort = () => reject(request.error ?? new Error('IndexedDB transaction aborted'));
      request.onerror = () => reject(request.error);
    } else {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }
  });
}

/** The clientIds this page holds, for the fallback below. @type {Set<string>} */
const held = new Set();
/** @type {BroadcastChannel | null} */
let channel = null;

/**
 * Without Web Locks (an origin that is not secure), tabs ask each other: a tab that holds the
 * clientId answers within a moment. Resolves false when one does.
 * @param {string} clientId
 */
function claimByAsking(clientId) {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(true);
  if (!channel) {
    channel = new BroadcastChannel('collabedit-clients');
    channel.onmessage = (event) => {
      const { type, clientId: asked, nonce } = event.data ?? {};
      if (type === 'who' && held.has(asked)) channel?.postMessage({ type: 'mine', clientId: asked, nonce });
    };
  }
  const nonce = Math.random().toString(36).slice(2);
  return new Promise((resolve) => {
    const listener = (/** @type {MessageEvent} */ event) => {
      if (event.data?.type === 'mine' && event.data.nonce === nonce) {
        clearTimeout(timer);
        resolve(false);
      }
    };
    const timer = setTimeout(() => {
      channel?.removeEventListener('message', listener);
      held.add(clientId);
      resolve(true);
    }, 250);
    channel?.addEventListener('message', listener);
    channel?.postMessage({ type: 'who', clientId, nonce });
  });
}

/**
 * Holds the lock named for `clientId` until the page goes away. Resolves false when another
 * living tab holds it.
 * @param {string} clientId
 */
export function holdClientLock(clientId) {
  if (!globalThis.navigator?.locks) return claimByAsking(clientId);
  return new Promise((resolve) => {
    navigator.locks.request(`collabedit-client:${clientId}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(false);
        return undefined;
      }
      resolve(true);
      return new Promise(() => {}); // released when the page is closed
    }).catch(() => resolve(false));
  });
}

export class DeviceStore {
  /** @param {IDBDatabase} db */
  constructor(db) {
    this.db = db;
  }

  /** Opens the store, or resolves null when this browser keeps nothing (IndexedDB missing or refused). */
  static async open() {
    try {
      if (!globalThis.indexedDB) return null;
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('drafts', { keyPath: ['docId', 'clientId'] }).createIndex('docId', 'docId');
        db.createObjectStore('texts', { keyPath: ['docId', 'clientId'] });
        db.createObjectStore('log', { keyPath: ['docId', 'clientId', 'revision'] });
      };
      return new DeviceStore(await done(request));
    } catch {
      return null;
    }
  }

  /**
   * Takes over the newest draft of `docId` whose tab is gone, with the server's text as it was
   * stored (base text and the ops after it). Null when there is none.
   * @param {string} docId
   * @returns {Promise<AdoptedDraft | null>}
   */
  async adopt(docId) {
    const tx = this.db.transaction('drafts', 'readonly');
    /** @type {Draft[]} */
    const drafts = await done(tx.objectStore('drafts').index('docId').getAll(docId));
    // Unsent edits first (they exist nowhere else), then the newest copy.
    const unsent = (/** @type {Draft} */ d) => (d.client.sent !== null || d.client.pending.length > 0 ? 1 : 0);
    drafts.sort((a, b) => unsent(b) - unsent(a) || b.updatedAt - a.updatedAt);
    for (const draft of drafts) {
      if (!(await holdClientLock(draft.clientId))) continue;
      const read = this.db.transaction(['texts', 'log'], 'readonly');
      /** @type {BaseText | undefined} */
      const base = await done(read.objectStore('texts').get([docId, draft.clientId]));
      if (!base) continue;
      /** @type {(LoggedOp & { docId: string })[]} */
      const log = await done(read.objectStore('log').getAll(IDBKeyRange.bound([docId, draft.clientId, 0], [docId, draft.clientId, Infinity])));
      const after = log.filter((entry) => entry.revision > base.revision).sort((a, b) => a.revision - b.revision);
      return { ...draft, text: base.text, log: after.map(({ revision, op }) => ({ revision, op })) };
    }
    return null;
  }

  /** Every document with a draft on this device, newest first: for the documents page. */
  async drafts() {
    /** @type {Draft[]} */
    const all = await done(this.db.transaction('drafts', 'readonly').objectStore('drafts').getAll());
    return all.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /**
   * The writer of one tab's draft of `docId`.
   * @param {string} docId
   * @param {string} clientId
   */
  writer(docId, clientId) {
    return new DraftWriter(this, docId, clientId);
  }

  /**
   * Deletes the copies of documents not opened for `maxAgeMs` that hold no unsent edit (those
   * are only an offline copy of the server's text), and never a living tab's. A draft with unsent
   * edits is kept until they are sent or the document is gone.
   * @param {number} maxAgeMs
   */
  async prune(maxAgeMs) {
    const cutoff = Date.now() - maxAgeMs;
    for (const draft of await this.drafts()) {
      const unsent = draft.client.sent !== null || draft.client.pending.length > 0;
      if (unsent || draft.updatedAt > cutoff || !(await holdClientLock(draft.clientId))) continue;
      await this.writer(draft.docId, draft.clientId).remove();
    }
  }

  /** Deletes everything kept for `docId`, every tab's. @param {string} docId */
  async forget(docId) {
    const tx = this.db.transaction(['drafts', 'texts', 'log'], 'readwrite');
    const range = IDBKeyRange.bound([docId, ''], [docId, '\uffff']);
    tx.objectStore('drafts').delete(range);
    tx.objectStore('texts').delete(range);
    tx.objectStore('log').delete(IDBKeyRange.bound([docId, '', 0], [docId, '\uffff', Infinity]));
    await done(tx);
  }
}

/**
 * @typedef {{ title: string, edits: number, client: ClientSnapshot, serverText: () => string }} DraftState
 */

/**
 * Writes one tab's draft: each save is one IndexedDB transaction, so what is on the device is
 * always a whole state. Saves never overlap; a save asked for while one runs is made after it,
 * with the newest state (so a burst of keystrokes costs a few writes, not one each).
 */
export class DraftWriter {
  #store;
  #docId;
  #clientId;
  /** Ops committed since the base text on the device (known written). */
  #logged = 0;
  #needsBase = true;
  /** @type {(() => DraftState) | null} */
  #next = null;
  /** @type {Promise<void> | null} */
  #running = null;
  /** Committed ops waiting to be written, in revision order. @type {LoggedOp[]} */
  #committed = [];
  /** Set when a write failed: the device may be missing edits. */
  failed = false;
  /** Duration of each finished write, in ms (for the benchmark page). @type {number[]} */
  timings = [];

  /** @param {DeviceStore} store @param {string} docId @param {string} clientId */
  constructor(store, docId, clientId) {
    this.#store = store;
    this.#docId = docId;
    this.#clientId = clientId;
  }

  /** The base text is already on the device (an adopted draft): log after it. @param {number} logged */
  continueFrom(logged) {
    this.#needsBase = false;
    this.#logged = logged;
  }

  /** Ops that became part of the server's text, in revision order. @param {LoggedOp[]} ops */
  addCommitted(ops) {
    this.#committed.push(...ops);
  }

  /**
   * Writes the state `read` gives (read when the write starts). Resolves when a write that
   * includes it has reached IndexedDB.
   * @param {() => DraftState} read
   * @returns {Promise<void>}
   */
  save(read) {
    this.#next = read;
    if (!this.#running) {
      this.#running = this.#drain().finally(() => { this.#running = null; });
      return this.#running;
    }
    // One is running: the loop in #drain picks up #next after it.
    return this.#running;
  }

  async #drain() {
    while (this.#next) {
      const read = this.#next;
      this.#next = null;
      try {
        await this.#write(read());
        this.failed = false;
      } catch {
        this.failed = true;
        this.#needsBase = true; // the log may have a hole: start again from a whole text
      }
    }
  }

  /** @param {DraftState} state */
  async #write(state) {
    const started = performance.now();
    const db = this.#store.db;
    const tx = db.transaction(['drafts', 'texts', 'log'], 'readwrite');
    const key = [this.#docId, this.#clientId];
    const committed = this.#committed;
    this.#committed = [];
    const rebase = this.#needsBase || this.#logged + committed.length > MAX_LOGGED_OPS;
    if (rebase) {
      tx.objectStore('texts').put({ docId: this.#docId, clientId: this.#clientId, revision: state.client.revision, text: state.serverText() });
      tx.objectStore('log').delete(IDBKeyRange.bound([...key, 0], [...key, Infinity]));
    } else {
      const log = tx.objectStore('log');
      for (const entry of committed) log.put({ docId: this.#docId, clientId: this.#clientId, revision: entry.revision, op: entry.op });
    }
    tx.objectStore('drafts').put({
      docId: this.#docId, clientId: this.#clientId, title: state.title, updatedAt: Date.now(), edits: state.edits, client: state.client,
    });
    try {
      await done(tx);
    } catch (error) {
      this.#committed = [...committed, ...this.#committed];
      throw error;
    }
    this.#needsBase = false;
    this.#logged = rebase ? 0 : this.#logged + committed.length;
    this.timings.push(performance.now() - started);
    if (this.timings.length > 10_000) this.timings.splice(0, 5_000);
  }

  /** Deletes this tab's draft (the document is gone, or its text was saved elsewhere). */
  async remove() {
    const tx = this.#store.db.transaction(['drafts', 'texts', 'log'], 'readwrite');
    const key = [this.#docId, this.#clientId];
    tx.objectStore('drafts').delete(key);
    tx.objectStore('texts').delete(key);
    tx.objectStore('log').delete(IDBKeyRange.bound([...key, 0], [...key, Infinity]));
    await done(tx);
  }
}
