// @ts-check
// The editor page: a CodeMirror 6 editor bound to the OT client. Owns the DOM.
// Local transactions become TextOperations for the server; remote ops become CodeMirror changes
// that are kept out of the undo history, so undo/redo only touch your own edits (CodeMirror maps
// its history through the remote changes). Every text from others is rendered as text, never HTML.

import {
  EditorView, basicSetup, EditorState, StateField, StateEffect, Annotation, Transaction, Decoration, WidgetType, Compartment, isolateHistory,
} from '../lib/vendor.js';
import { TextOperation } from './text-operation.js';
import { DocumentConnection } from './connection.js';
import { DeviceStore } from './device-store.js';
import { changesToOperation, operationToChanges } from './changes.js';
import { HistoryPanel, el, json } from './history.js';
import { Timeslider, linkedRevision } from './timeslider.js';
import { AuthorshipView, authorshipField } from './authorship-view.js';
import { identity, chooseIdentity, colourAmong } from './identity.js';
import { loadLimits, registerServiceWorker } from './app-shell.js';
import { linkToken, linkHeaders, signedIn } from './access.js';
import { ShareDialog } from './share.js';

/** @typedef {import('./connection.js').PeerPresence} PeerPresence */
/** @typedef {PeerPresence & { shownAt?: number }} PlacedPeer a peer's caret, and when its name was last shown */

const remote = Annotation.define();

// ---- remote carets and selections ----

const setPeer = StateEffect.define();
const removePeer = StateEffect.define();

/** How long a name shows after its owner types or moves (the fade is the last quarter, in app.css). */
const NAME_SHOWN_MS = 2000;

/**
 * A peer's caret and name. The name covers part of the line above (or below), so it shows only
 * for NAME_SHOWN_MS after its owner types or moves, and while the pointer is on the caret.
 * Carets at one spot (`stack` > 0) sit a little apart and put their names on other lines, so
 * every one stays readable.
 */
class CaretWidget extends WidgetType {
  /** @param {string} name @param {string} color @param {number} shownAt @param {number} stack */
  constructor(name, color, shownAt, stack) { super(); this.name = name; this.color = color; this.shownAt = shownAt; this.stack = stack; }
  eq(/** @type {CaretWidget} */ other) {
    return other.name === this.name && other.color === this.color && other.shownAt === this.shownAt && other.stack === this.stack;
  }
  toDOM() {
    const caret = document.createElement('span');
    caret.className = 'remote-caret';
    // The peers list names everyone for screen readers; the caret is for the eyes.
    caret.setAttribute('aria-hidden', 'true');
    caret.style.borderColor = this.color;
    if (this.stack > 0) caret.dataset.stack = String(Math.min(this.stack, 3));
    const label = document.createElement('span');
    label.className = 'remote-name';
    label.style.background = this.color;
    label.textContent = this.name; // text, never HTML
    // Redrawn (another caret came or went at this spot) part-way through showing: carry on
    // from where the fade was instead of starting again.
    const age = Date.now() - this.shownAt;
    if (age < NAME_SHOWN_MS) {
      label.classList.add('shown');
      label.style.animationDelay = `${-age}ms`;
    }
    caret.append(label);
    return caret;
  }
  ignoreEvent() { return true; }
}

/** Peers' selections, mapped through every change so they follow the text. */
const peersField = StateField.define({
  create: () => /** @type {Map<string, PlacedPeer>} */ (new Map()),
  update(peers, tr) {
    let next = peers;
    if (tr.docChanged) {
      next = new Map();
      for (const [id, p] of peers) {
        next.set(id, { ...p, anchor: tr.changes.mapPos(p.anchor, -1), head: tr.changes.mapPos(p.head, -1) });
      }
    }
    for (const effect of tr.effects) {
      if (effect.is(setPeer)) {
        if (next === peers) next = new Map(peers);
        const p = /** @type {PeerPresence} */ (effect.value);
        const max = tr.state.doc.length;
        const before = next.get(p.peerId);
        const placed = { ...p, anchor: Math.min(p.anchor, max), head: Math.min(p.head, max) };
        // The name shows when its owner arrives, types or moves; not when the same presence is
        // heard again (a reconnect) or when only the colour or our mapping changed.
        const moved = !before || before.head !== placed.head || before.anchor !== placed.anchor || before.name !== placed.name;
        next.set(p.peerId, { ...placed, shownAt: moved ? Date.now() : before.shownAt ?? 0 });
      } else if (effect.is(removePeer)) {
        if (next === peers) next = new Map(peers);
        next.delete(/** @type {string} */ (effect.value));
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field, (peers) => {
    const ranges = [];
    /** @type {Map<number, number>} carets already at each offset */
    const atOffset = new Map();
    // In peer id order, so each caret keeps its place in a stack while others come and go after it.
    for (const p of [...peers.values()].sort((a, b) => (a.peerId < b.peerId ? -1 : 1))) {
      const from = Math.min(p.anchor, p.head);
      const to = Math.max(p.anchor, p.head);
      if (from < to) ranges.push(Decoration.mark({ attributes: { style: `background: ${p.color}33` }, class: 'remote-selection' }).range(from, to));
      const stack = atOffset.get(p.head) ?? 0;
      atOffset.set(p.head, stack + 1);
      ranges.push(Decoration.widget({ widget: new CaretWidget(p.name, p.color, p.shownAt ?? 0, stack), side: 1 }).range(p.head));
    }
    return Decoration.set(ranges, true);
  }),
});

// ---- the page ----

/**
 * A new edit (in the count shown to the user) starts where the caret jumped, with another kind of
 * change (typing, deleting, pasting), or after this pause.
 */
const EDIT_PAUSE_MS = 2000;

/** Offers `text` as a file download named after the title. @param {string} title @param {string} text */
function download(title, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = el('a', { href: url, download: `${title.replace(/[\\/:*?"<>|]+/g, '_') || 'document'}.txt` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The page for a document that does not exist (or that this device has nothing of). */
function showNotFound(/** @type {string} */ message) {
  const main = /** @type {HTMLElement} */ (document.querySelector('main'));
  document.title = 'Document not found — CollabEdit';
  for (const id of ['status', 'peers', 'me', 'toggle-history', 'title']) document.getElementById(id)?.remove();
  main.replaceChildren(el('section', { class: 'not-found' }, [
    el('h2', {}, ['Document not found']),
    el('p', {}, [message]),
    el('p', {}, [el('a', { href: '/' }, ['Back to all documents']), ' · ', el('a', { href: `/signin?return=${encodeURIComponent(location.pathname)}` }, ['Sign in'])]),
  ]));
}

async function main() {
  registerServiceWorker();
  const documentId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  let me = identity();
  const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
  const peersEl = /** @type {HTMLElement} */ (document.getElementById('peers'));
  const titleEl = /** @type {HTMLElement} */ (document.getElementById('title'));
  const meEl = /** @type {HTMLButtonElement} */ (document.getElementById('me'));
  const noticesEl = /** @type {HTMLElement} */ (document.getElementById('notices'));
  const historyButton = /** @type {HTMLButtonElement} */ (document.getElementById('toggle-history'));

  const link = linkToken(documentId);
  const [store, limits, account] = await Promise.all([DeviceStore.open(), loadLimits(), signedIn()]);
  // Signed in, we are our account's display name (the server would show nothing else); a guest
  // with a link goes by the name chosen in this browser, shown to others as a guest.
  if (account) me = { ...me, name: account.displayName };
  let title = '';
  let missing = false;
  try {
    const details = await fetch(`/api/documents/${encodeURIComponent(documentId)}`, { headers: linkHeaders(documentId) });
    if (details.ok) title = (await details.json()).title;
    else if (details.status === 404 || details.status === 400) missing = true;
  } catch { /* offline: the device's copy, if any, says the rest */ }

  // Coming through a share link is in the owner's audit log ("opened through link").
  if (link) {
    fetch('/api/links/redeem', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link }) }).catch(() => {});
  }
  const connection = new DocumentConnection(documentId, me, { store, limits, title, link });
  /** @type {Awaited<ReturnType<DocumentConnection['start']>>} */
  let opened;
  try {
    opened = await connection.start();
  } catch {
    showNotFound(missing || navigator.onLine
      ? 'It may have been deleted, or the link is wrong.'
      : 'You are offline, and this document has not been opened on this device before.');
    return;
  }
  title = connection.title || title || 'Untitled';
  titleEl.textContent = title;
  document.title = `${title} — CollabEdit`;
  // Hidden until the document is found, so a missing one never shows an empty name or a History
  // button that does nothing.
  for (const part of [statusEl, peersEl, meEl, historyButton]) part.hidden = false;
  /** @type {Map<string, PeerPresence>} */
  const peers = new Map(opened.peers.map((p) => [p.peerId, connection.placePresence(p)]));

  /** Shows us in `color` on this document; the colour remembered in the browser stays. @param {string} color */
  const showAs = (color) => {
    me = { ...me, color };
    connection.me = { ...connection.me, color };
  };
  showAs(colourAmong({ ...me, peerId: connection.peerId }, [...peers.values()], true));
  /** Gives way when someone who came first shows our colour (see colourAmong). */
  const settleColour = () => {
    const color = colourAmong({ ...me, peerId: connection.peerId }, [...peers.values()], false);
    if (color === me.color) return;
    showAs(color);
    renderPeers();
    sendPresence();
  };

  /** @type {EditorView} */
  let view;
  let presenceTimer = 0;
  const sendPresence = () => {
    clearTimeout(presenceTimer);
    presenceTimer = window.setTimeout(() => {
      const { anchor, head } = view.state.selection.main;
      connection.setPresence({ name: me.name, color: me.color, anchor, head });
    }, 50);
  };

  /** Tells the user something, politely, until dismissed. @param {string} text @param {(Node | string)[]} [actions] */
  function notify(text, actions = []) {
    const close = el('button', { type: 'button', 'aria-label': 'Dismiss this message' }, ['×']);
    const notice = el('div', { class: 'notice', role: 'alert' }, [el('span', {}, [text]), ...actions, close]);
    close.addEventListener('click', () => notice.remove());
    noticesEl.append(notice);
    return notice;
  }

  const editable = new Compartment();
  /** A viewer sees every edit live but cannot change the text (no typing, no paste). @param {string} role */
  const readOnlyFor = (role) => (role === 'viewer' ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []);
  let lastEditAt = 0;
  let lastEditKind = '';
  /** Where the last local change ended, kept in step with every change since. */
  let lastEditEnd = -1;
  view = new EditorView({
    parent: /** @type {HTMLElement} */ (document.getElementById('editor')),
    state: EditorState.create({
      doc: opened.text,
      extensions: [
        basicSetup,
        // Only "\n" breaks lines, so the editor's text is the server's text, code unit for code unit.
        EditorState.lineSeparator.of('\n'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': `Text of ${title}` }),
        editable.of(readOnlyFor(connection.role)),
        peersField,
        authorshipField,
        // An edit the server would refuse for the document's size is refused here, changing nothing.
        EditorState.changeFilter.of((tr) => {
          if (tr.annotation(remote) || tr.newDoc.length <= limits.maxDocumentLength) return true;
          queueMicrotask(() => notify(`That change would make the document longer than ${limits.maxDocumentLength.toLocaleString()} characters, the most a document can hold, so nothing was changed.`));
          return false;
        }),
        EditorView.updateListener.of((update) => {
          for (const tr of update.transactions) {
            if (!tr.docChanged) continue;
            if (tr.annotation(remote)) {
              if (lastEditEnd >= 0) lastEditEnd = tr.changes.mapPos(lastEditEnd);
              continue;
            }
            let from = Infinity;
            let to = -1;
            let end = 0;
            tr.changes.iterChanges((/** @type {number} */ fromA, /** @type {number} */ toA, /** @type {number} */ _fromB, /** @type {number} */ toB) => {
              from = Math.min(from, fromA);
              to = Math.max(to, toA);
              end = toB;
            });
            const now = Date.now();
            const kind = tr.isUserEvent('input.paste') ? 'paste' : (tr.annotation(Transaction.userEvent) ?? '').split('.')[0];
            const continues = from <= lastEditEnd && lastEditEnd <= to && kind === lastEditKind && kind !== 'paste';
            const newEdit = !continues || now - lastEditAt > EDIT_PAUSE_MS;
            lastEditAt = now;
            lastEditKind = kind;
            lastEditEnd = end;
            connection.applyLocal(changesToOperation(tr.changes, tr.startState.doc.length), newEdit);
          }
          if (update.selectionSet || update.docChanged) sendPresence();
        }),
      ],
    }),
  });
  view.dispatch({ effects: [...peers.values()].map((p) => setPeer.of(p)) });
  // Exposed for tests and debugging: the live text and revision.
  const authors = new AuthorshipView({
    view, connection, documentId, notify,
    me: () => ({ authorId: account?.id ?? null, authorName: me.name, guest: !account }),
  });
  Object.assign(window, { collab: {
    view, connection, text: () => view.state.doc.toString(), peers: () => view.state.field(peersField),
    authorship: () => authors.spans(),
  } });

  /**
   * While a restore of ours is on its way, others' ops wait here (the confirmation dialog keeps
   * the text from changing under them), so that the restore's op, once we know its revision, can
   * enter our undo history.
   * @type {{ ops: [TextOperation, number | null][], undoable: number | null } | null}
   */
  let held = null;
  /** @param {TextOperation} op @param {number | null} revision @param {boolean} undoable */
  const applyRemote = (op, revision, undoable) => {
    const author = authors.credit(revision === null ? connection.peerId : connection.takePeer(revision));
    view.dispatch({
      changes: operationToChanges(op),
      annotations: undoable
        ? [remote.of(true), ...author, Transaction.userEvent.of('restore'), isolateHistory.of('full')]
        : [remote.of(true), ...author, Transaction.addToHistory.of(false)],
    });
  };
  connection.attach((ops, revisions) => {
    ops.forEach((op, i) => {
      if (held) held.ops.push([op, revisions[i] ?? null]);
      else applyRemote(op, revisions[i] ?? null, false);
    });
  });
  /** Lets the held ops through, the restore's (revision `undoable`) as an edit of ours. */
  const release = () => {
    const waiting = held;
    held = null;
    for (const [op, revision] of waiting?.ops ?? []) applyRemote(op, revision, revision !== null && revision === waiting?.undoable);
  };
  /** @type {Set<number>} revisions of our restores: their announcement is not for us */
  const ownRestores = new Set();
  /**
   * Restores `revision`: the server commits the op that brings the text back (recorded as a
   * restore, announced to the others); that op, when it reaches us, goes into our undo history as
   * one edit, so Ctrl+Z takes back exactly the restore, through OT like any undo.
   * @param {number} revision
   */
  const restore = async (revision) => {
    held = { ops: [], undoable: null };
    try {
      const result = await json(`/api/documents/${encodeURIComponent(documentId)}/restore`, { method: 'POST', body: JSON.stringify({ revision }) });
      held.undoable = result.revision;
      ownRestores.add(result.revision);
      // The op comes as a broadcast, before or after the answer: wait (a while) for it.
      const deadline = Date.now() + 10_000;
      while (connection.revision < result.revision && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      release();
    }
  };
  connection.addEventListener('restored', (e) => {
    const r = /** @type {CustomEvent<{ revision: number, fromRevision: number, by: string }>} */ (e).detail;
    // Ours (announced to us too, possibly before the restore's answer): nothing to tell.
    if (held || ownRestores.has(r.revision)) return;
    notify(`${r.by || 'Someone'} restored r${r.fromRevision}: the text is now as it was then (r${r.revision}).`);
  });
  connection.addEventListener('presence', (e) => {
    const p = /** @type {CustomEvent<PeerPresence>} */ (e).detail;
    peers.set(p.peerId, p);
    view.dispatch({ effects: setPeer.of(p) });
    renderPeers();
    settleColour();
  });
  connection.addEventListener('peerleft', (e) => {
    const id = /** @type {CustomEvent<string>} */ (e).detail;
    peers.delete(id);
    view.dispatch({ effects: removePeer.of(id) });
    renderPeers();
  });
  connection.addEventListener('peers', (e) => {
    const live = new Set();
    for (const raw of /** @type {CustomEvent<PeerPresence[]>} */ (e).detail) {
      const p = connection.placePresence(raw);
      live.add(p.peerId);
      peers.set(p.peerId, p);
      view.dispatch({ effects: setPeer.of(p) });
    }
    // Peers that left while we were away.
    for (const id of [...peers.keys()]) {
      if (!live.has(id)) { peers.delete(id); view.dispatch({ effects: removePeer.of(id) }); }
    }
    renderPeers();
    settleColour();
    sendPresence();
  });
  connection.addEventListener('status', renderStatus);
  connection.addEventListener('role', () => {
    if (ended) return;
    view.dispatch({ effects: editable.reconfigure(readOnlyFor(connection.role)) });
    renderRole();
    sendPresence();
  });
  connection.addEventListener('reload', () => location.reload());
  connection.addEventListener('refused', (e) => notify(/** @type {CustomEvent<string>} */ (e).detail));
  window.addEventListener('offline', renderStatus);
  window.addEventListener('online', renderStatus);
  // Closing or reloading warns only while an edit exists nowhere but in this page.
  window.addEventListener('beforeunload', (event) => {
    if (connection.atRisk) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  let ended = false;
  function renderStatus() {
    const status = connection.status;
    const unsent = connection.unsent;
    const edits = `${unsent} edit${unsent === 1 ? '' : 's'}`;
    const where = !connection.keepsDrafts ? 'not saved anywhere yet' : connection.savedLocally ? 'saved on this device' : 'saving on this device';
    statusEl.dataset.status = status;
    statusEl.textContent =
      status === 'connected' ? (unsent > 0 ? `connected · saving ${edits}` : 'connected')
        : status === 'reconnecting' ? (unsent > 0 ? `reconnecting — ${edits} ${where}` : 'reconnecting')
          : status === 'offline' ? (unsent > 0 ? `offline — ${edits} ${where}` : 'offline')
            : status === 'deleted' ? 'deleted'
              : status === 'stale' ? 'out of date'
                : status === 'revoked' ? 'no access'
                  : 'connecting';
    if ((status === 'deleted' || status === 'stale' || status === 'revoked') && !ended) {
      ended = true;
      endEditing(status);
    }
  }

  /** The document cannot be edited here any more: keep the text, read-only, and offer it. @param {'deleted' | 'stale' | 'revoked'} why */
  function endEditing(why) {
    view.dispatch({ effects: editable.reconfigure([EditorState.readOnly.of(true), EditorView.editable.of(false)]) });
    const save = el('button', { type: 'button' }, ['Save as a new document']);
    const get = el('button', { type: 'button' }, ['Download']);
    get.addEventListener('click', () => download(title, view.state.doc.toString()));
    save.addEventListener('click', async () => {
      save.setAttribute('disabled', '');
      try {
        const response = await fetch('/api/documents', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `${title} (recovered)`.slice(0, 200), text: view.state.doc.toString() }),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const created = await response.json();
        await connection.forgetDraft();
        location.href = `/d/${encodeURIComponent(created.id)}`;
      } catch {
        save.removeAttribute('disabled');
        notify('The text could not be saved as a new document (are you offline?). Download it, or try again.');
      }
    });
    const message = why === 'deleted'
      ? 'This document was deleted. Your text is still here, read-only: download it or save it as a new document.'
      : why === 'revoked'
        ? 'You no longer have access to this document. Your text is still here, read-only: copy it, download it or save it as a new document.'
        : 'This copy fell too far behind the document to merge your edits. Your text is still here, read-only: download it or save it as a new document.';
    const notice = notify(message, [get, save]);
    notice.classList.add('ended');
  }

  function renderPeers() {
    // One entry per person: the same name and colour in several tabs is one person, and our own
    // other tabs are us.
    const people = new Map();
    for (const p of peers.values()) {
      const key = `${p.name}\u0000${p.color}`;
      if (key !== `${me.name}\u0000${me.color}` && !people.has(key)) people.set(key, p);
    }
    peersEl.replaceChildren(...[{ peerId: 'me', name: `${me.name} (you)`, color: me.color }, ...people.values()].map((p) => {
      const chip = document.createElement('span');
      chip.className = 'peer';
      chip.style.background = p.color;
      chip.textContent = p.name;
      chip.dataset.peerId = p.peerId;
      return chip;
    }));
  }

  meEl.textContent = me.name;
  // An account's name is its display name; only a guest picks one here.
  if (account) {
    meEl.disabled = true;
    meEl.title = 'Your account’s display name';
  }
  const roleEl = el('span', { id: 'role', class: 'muted role' }, []);
  meEl.after(roleEl);
  function renderRole() {
    roleEl.textContent = connection.role === 'viewer' ? 'View only' : '';
    historyButton.hidden = connection.role === 'viewer';
    const authorsButton = document.getElementById('toggle-authorship');
    if (authorsButton) authorsButton.hidden = connection.role === 'viewer';
  }
  renderRole();
  // Owners and editors rename the document (not viewers, not once the page has lost it).
  const renameButton = el('button', { type: 'button', id: 'rename' }, ['Rename']);
  titleEl.after(renameButton);
  renameButton.hidden = connection.role === 'viewer';
  connection.addEventListener('role', () => { renameButton.hidden = connection.role === 'viewer' || ended; });
  renameButton.addEventListener('click', async () => {
    const next = prompt('New title', title)?.trim();
    if (!next || next === title) return;
    const response = await fetch(`/api/documents/${encodeURIComponent(documentId)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...linkHeaders(documentId) },
      body: JSON.stringify({ title: next }),
    }).catch(() => null);
    if (!response?.ok) { notify('The document could not be renamed.'); return; }
    title = next;
    titleEl.textContent = title;
    document.title = `${title} — CollabEdit`;
  });
  if (connection.role === 'owner') {
    const shareButton = el('button', { type: 'button', id: 'share' }, ['Share']);
    historyButton.before(shareButton);
    const share = new ShareDialog(documentId, title);
    shareButton.addEventListener('click', () => share.open());
  }
  meEl.addEventListener('click', () => {
    if (account || !chooseIdentity()) return;
    // In place: the undo history and any unsent edits stay, and so does the colour shown here.
    me = { ...me, name: identity().name };
    meEl.textContent = me.name;
    connection.rename(me.name);
    renderPeers();
    sendPresence();
    view.focus();
  });

  const layout = /** @type {HTMLElement} */ (document.querySelector('.layout'));
  // The width at which app.css makes the history a full-screen sheet.
  const phone = matchMedia('(max-width: 640px)');
  /** While the history covers the page, what is under it is out of reach of Tab and screen readers. */
  const coverPage = () => {
    const covered = phone.matches && layout.classList.contains('with-history');
    for (const part of [document.querySelector('header'), noticesEl, document.getElementById('editor')]) {
      if (part) part.inert = covered;
    }
  };
  phone.addEventListener('change', coverPage);
  /** Opens or closes the history (a column beside the text; on a phone, a sheet over it). @param {boolean} open */
  const showHistory = (open) => {
    layout.classList.toggle('with-history', open);
    historyButton.setAttribute('aria-expanded', String(open));
    coverPage();
    if (open) {
      history.show();
    } else {
      history.hide();
      historyButton.focus();
    }
  };
  const timeslider = new Timeslider({
    documentId,
    title: () => title,
    revision: () => connection.revision,
    sessions: (before) => history.sessions(before),
  });
  const history = new HistoryPanel({
    documentId,
    root: /** @type {HTMLElement} */ (document.getElementById('history')),
    title: () => title,
    revision: () => connection.revision,
    restore,
    afterRestore: () => view.focus(),
    openTimeslider: (revision) => { timeslider.open(revision); },
    close: () => showHistory(false),
  });
  historyButton.addEventListener('click', () => showHistory(!layout.classList.contains('with-history')));
  // The panel and the slider follow the document: every revision committed, ours or anyone's.
  connection.addEventListener('committed', (e) => {
    const revision = /** @type {CustomEvent<number>} */ (e).detail;
    history.committed(revision);
    timeslider.committed(revision);
  });
  // A link to a revision (#r=N) opens the timeslider there.
  const linked = linkedRevision(location.hash);
  if (linked !== null && connection.role !== 'viewer') timeslider.open(linked);

  // Who wrote what: a toggle colours the text by author, with a legend.
  const authorshipButton = el('button', { type: 'button', id: 'toggle-authorship', 'aria-pressed': 'false' }, ['Authors']);
  const legend = el('ul', { id: 'authorship-legend', class: 'legend', 'aria-label': 'Who wrote what', hidden: '' });
  historyButton.before(authorshipButton);
  noticesEl.after(legend);
  authorshipButton.hidden = connection.role === 'viewer';
  authors.attach(authorshipButton, legend);

  if (opened.restoredEdits > 0) {
    notify(`${opened.restoredEdits} edit${opened.restoredEdits === 1 ? '' : 's'} saved on this device earlier ${opened.restoredEdits === 1 ? 'was' : 'were'} restored and ${navigator.onLine ? 'sent' : 'will be sent when you are back online'}.`);
  }
  renderStatus();
  renderPeers();
  sendPresence();
  view.focus();
}

if (typeof document !== 'undefined') {
  main().catch((error) => {
    const status = document.getElementById('status');
    if (status) { status.hidden = false; status.dataset.status = 'offline'; status.textContent = `error: ${error.message}`; }
  });
}
