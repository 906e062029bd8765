// @ts-check
// The editor page: a CodeMirror 6 editor bound to the OT client. Owns the DOM.
// Local transactions become TextOperations for the server; remote ops become CodeMirror changes
// that are kept out of the undo history, so undo/redo only touch your own edits (CodeMirror maps
// its history through the remote changes). Every text from others is rendered as text, never HTML.

import {
  EditorView, basicSetup, EditorState, StateField, StateEffect, Annotation, Transaction, Decoration, WidgetType,
} from '../lib/vendor.js';
import { TextOperation } from './text-operation.js';
import { DocumentConnection } from './connection.js';
import { HistoryPanel } from './history.js';
import { identity, chooseIdentity } from './identity.js';

/** @typedef {import('./connection.js').PeerPresence} PeerPresence */

const remote = Annotation.define();

/** Converts a CodeMirror change set (on a text of `length`) to a TextOperation. */
export function changesToOperation(/** @type {any} */ changes, /** @type {number} */ length) {
  const builder = TextOperation.builder();
  let pos = 0;
  changes.iterChanges((/** @type {number} */ fromA, /** @type {number} */ toA, /** @type {number} */ _fromB, /** @type {number} */ _toB, /** @type {any} */ inserted) => {
    builder.retain(fromA - pos);
    builder.insert(inserted.toString());
    builder.delete(toA - fromA);
    pos = toA;
  });
  builder.retain(length - pos);
  return builder.build();
}

/** Converts a TextOperation to CodeMirror change specs, positions in the text it applies to. */
export function operationToChanges(/** @type {TextOperation} */ op) {
  const changes = [];
  let pos = 0;
  for (const c of op.components) {
    if (typeof c === 'string') changes.push({ from: pos, insert: c });
    else if (c > 0) pos += c;
    else { changes.push({ from: pos, to: pos - c }); pos -= c; }
  }
  return changes;
}

// ---- remote carets and selections ----

const setPeer = StateEffect.define();
const removePeer = StateEffect.define();

class CaretWidget extends WidgetType {
  /** @param {string} name @param {string} color */
  constructor(name, color) { super(); this.name = name; this.color = color; }
  eq(/** @type {CaretWidget} */ other) { return other.name === this.name && other.color === this.color; }
  toDOM() {
    const caret = document.createElement('span');
    caret.className = 'remote-caret';
    caret.style.borderColor = this.color;
    const label = document.createElement('span');
    label.className = 'remote-name';
    label.style.background = this.color;
    label.textContent = this.name; // text, never HTML
    caret.append(label);
    return caret;
  }
  ignoreEvent() { return true; }
}

/** Peers' selections, mapped through every change so they follow the text. */
const peersField = StateField.define({
  create: () => /** @type {Map<string, PeerPresence>} */ (new Map()),
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
        next.set(p.peerId, { ...p, anchor: Math.min(p.anchor, max), head: Math.min(p.head, max) });
      } else if (effect.is(removePeer)) {
        if (next === peers) next = new Map(peers);
        next.delete(/** @type {string} */ (effect.value));
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field, (peers) => {
    const ranges = [];
    for (const p of peers.values()) {
      const from = Math.min(p.anchor, p.head);
      const to = Math.max(p.anchor, p.head);
      if (from < to) ranges.push(Decoration.mark({ attributes: { style: `background: ${p.color}33` }, class: 'remote-selection' }).range(from, to));
      ranges.push(Decoration.widget({ widget: new CaretWidget(p.name, p.color), side: 1 }).range(p.head));
    }
    return Decoration.set(ranges, true);
  }),
});

// ---- the page ----

async function main() {
  const documentId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
  const me = identity();
  const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
  const peersEl = /** @type {HTMLElement} */ (document.getElementById('peers'));
  const titleEl = /** @type {HTMLElement} */ (document.getElementById('title'));
  const meEl = /** @type {HTMLButtonElement} */ (document.getElementById('me'));

  const details = await fetch(`/api/documents/${encodeURIComponent(documentId)}`);
  if (!details.ok) {
    titleEl.textContent = 'Document not found';
    statusEl.textContent = 'offline';
    return;
  }
  titleEl.textContent = (await details.json()).title;
  document.title = `${titleEl.textContent} — CollabEdit`;

  const connection = new DocumentConnection(documentId, me);
  const opened = await connection.start();
  /** @type {Map<string, PeerPresence>} */
  const peers = new Map(opened.peers.map((p) => [p.peerId, connection.placePresence(p)]));

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

  view = new EditorView({
    parent: /** @type {HTMLElement} */ (document.getElementById('editor')),
    state: EditorState.create({
      doc: opened.text,
      extensions: [
        basicSetup,
        // Only "\n" breaks lines, so the editor's text is the server's text, code unit for code unit.
        EditorState.lineSeparator.of('\n'),
        EditorView.lineWrapping,
        peersField,
        EditorView.updateListener.of((update) => {
          for (const tr of update.transactions) {
            if (tr.docChanged && !tr.annotation(remote)) {
              connection.applyLocal(changesToOperation(tr.changes, tr.startState.doc.length));
            }
          }
          if (update.selectionSet || update.docChanged) sendPresence();
        }),
      ],
    }),
  });
  view.dispatch({ effects: [...peers.values()].map((p) => setPeer.of(p)) });
  // Exposed for tests and debugging: the live text and revision.
  Object.assign(window, { collab: { view, connection, text: () => view.state.doc.toString(), peers: () => view.state.field(peersField) } });

  connection.addEventListener('remote', (e) => {
    const ops = /** @type {CustomEvent<TextOperation[]>} */ (e).detail;
    for (const op of ops) {
      view.dispatch({ changes: operationToChanges(op), annotations: [remote.of(true), Transaction.addToHistory.of(false)] });
    }
  });
  connection.addEventListener('presence', (e) => {
    const p = /** @type {CustomEvent<PeerPresence>} */ (e).detail;
    peers.set(p.peerId, p);
    view.dispatch({ effects: setPeer.of(p) });
    renderPeers();
  });
  connection.addEventListener('peerleft', (e) => {
    const id = /** @type {CustomEvent<string>} */ (e).detail;
    peers.delete(id);
    view.dispatch({ effects: removePeer.of(id) });
    renderPeers();
  });
  connection.addEventListener('peers', (e) => {
    for (const raw of /** @type {CustomEvent<PeerPresence[]>} */ (e).detail) {
      const p = connection.placePresence(raw);
      peers.set(p.peerId, p);
      view.dispatch({ effects: setPeer.of(p) });
    }
    renderPeers();
    sendPresence();
  });
  connection.addEventListener('status', renderStatus);
  connection.addEventListener('fatal', (e) => {
    const banner = document.createElement('div');
    banner.className = 'fatal';
    banner.textContent = /** @type {CustomEvent<string>} */ (e).detail;
    document.body.prepend(banner);
  });
  window.addEventListener('offline', renderStatus);
  window.addEventListener('online', renderStatus);

  function renderStatus() {
    const status = connection.status;
    const unsent = connection.unsent;
    statusEl.dataset.status = status;
    statusEl.textContent =
      status === 'connected' ? (unsent > 0 ? `connected · sending ${unsent}` : 'connected')
        : status === 'reconnecting' ? `reconnecting · ${unsent} unsent edit${unsent === 1 ? '' : 's'}`
          : status === 'offline' ? `offline · ${unsent} unsent edit${unsent === 1 ? '' : 's'}`
            : 'connecting';
  }

  function renderPeers() {
    peersEl.replaceChildren(...[{ peerId: 'me', name: `${me.name} (you)`, color: me.color }, ...peers.values()].map((p) => {
      const chip = document.createElement('span');
      chip.className = 'peer';
      chip.style.background = p.color;
      chip.textContent = p.name;
      chip.dataset.peerId = p.peerId;
      return chip;
    }));
  }

  meEl.textContent = me.name;
  meEl.addEventListener('click', () => {
    const chosen = chooseIdentity();
    if (chosen) location.reload();
  });

  const history = new HistoryPanel(documentId, /** @type {HTMLElement} */ (document.getElementById('history')), () => view.state.doc.toString());
  /** @type {HTMLButtonElement} */ (document.getElementById('toggle-history')).addEventListener('click', () => {
    const layout = /** @type {HTMLElement} */ (document.querySelector('.layout'));
    layout.classList.toggle('with-history');
    if (layout.classList.contains('with-history')) history.show(); else history.hide();
  });

  renderStatus();
  renderPeers();
  sendPresence();
  view.focus();
}

if (typeof document !== 'undefined') {
  main().catch((error) => {
    const status = document.getElementById('status');
    if (status) { status.dataset.status = 'offline'; status.textContent = `error: ${error.message}`; }
  });
}
