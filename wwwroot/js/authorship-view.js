// @ts-check
// Who wrote what in the editor: the Authors toggle colours the text by author (a CodeMirror state
// field of authorship spans, moved through every transaction with its author), with a legend, and
// names the author and time of a passage on hover. The spans come from the server at the client's
// own revision; from then on the page keeps them itself: our edits as us, a remote op as the
// author of the peer it came from. An op from a peer the server's answer did not name, or one
// caught up on (no peer), makes it ask again, so the colours settle on the server's record.

import { EditorView, StateField, StateEffect, Annotation, Decoration } from '../lib/vendor.js';
import { changesToOperation } from './changes.js';
import { applyToSpans, spanRanges, authorsOf, authorColour, authorKey } from './authorship.js';
import { el, json } from './history.js';

/** @typedef {import('./text-operation.js').TextOperation} TextOperation */
/** @typedef {import('./authorship.js').AuthorSpan} AuthorSpan */
/** @typedef {{ authorId: string | null, authorName: string, guest: boolean, at: string | number }} SpanAuthor */
/** @typedef {{ authorId: string | null, authorName: string, guest: boolean }} PeerAuthor */

/** No one the page can name (yet). */
const UNKNOWN = Object.freeze({ authorId: null, authorName: '', guest: false });

/** The author of a remote change (absent: the change is ours). */
const authorOf = Annotation.define();
/** Switches the colours on (spans for the text as it is now), to loading, or off (null). */
const setAuthorship = StateEffect.define();

/**
 * The text's authorship spans, kept through every change with its author: null while the colours
 * are off, `{ queue }` while the spans are being fetched (changes made meanwhile wait there), then
 * `{ spans }`; `peers` credits a remote op to its author by the peer it came from, and `me` is
 * who our own edits are. Each decoration names its author and time for the pointer (title).
 * Both at once while the spans are fetched again.
 * @typedef {{ spans?: AuthorSpan[], queue?: [TextOperation, SpanAuthor & { peerId?: string }][], me: PeerAuthor, peers: Map<string, PeerAuthor> }} AuthorshipState
 */
export const authorshipField = StateField.define({
  create: () => /** @type {AuthorshipState | null} */ (null),
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setAuthorship)) value = effect.value;
    if (!value || !tr.docChanged) return value;
    const op = changesToOperation(tr.changes, tr.startState.doc.length);
    const credited = tr.annotation(authorOf) ?? { ...value.me, at: Date.now() };
    // Changes made while spans are fetched wait in the queue (with the peer, to credit later);
    // spans already shown stay up to date meanwhile.
    const queue = value.queue ? [...value.queue, /** @type {[TextOperation, SpanAuthor & { peerId?: string }]} */ ([op, credited])] : undefined;
    const { peerId: _peerId, ...author } = credited;
    return { ...value, queue, spans: value.spans && applyToSpans(value.spans, op, author) };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => {
    if (!value?.spans) return Decoration.none;
    return Decoration.set(spanRanges(value.spans).filter((r) => r.to > r.from).map(({ from, to, span }) => Decoration.mark({
      class: 'author-run',
      attributes: { style: `background: ${authorColour(authorKey(span))}`, title: `${span.authorName}${span.guest ? ' (guest)' : ''} · ${new Date(span.at).toLocaleString()}` },
    }).range(from, to)));
  }),
});

export class AuthorshipView {
  reloadTimer = 0;
  legendTimer = 0;
  /** A fetch of the spans is under way; `again`: another was asked for meanwhile. */
  loading = false;
  again = false;
  /** @type {HTMLElement | null} */
  legend = null;

  /**
   * @param {{ view: EditorView, connection: import('./connection.js').DocumentConnection, documentId: string,
   *   me: () => PeerAuthor, notify: (text: string) => void }} options
   */
  constructor(options) {
    this.options = options;
    this.view = options.view;
  }

  /** The spans as the page keeps them, or null while the colours are off or loading. */
  spans() {
    return this.view.state.field(authorshipField)?.spans ?? null;
  }

  /**
   * The annotations that credit a remote change from `peerId` (ours when it is our peer id).
   * While the spans load, the peer is kept and credited when they come.
   * @param {string | undefined} peerId
   */
  credit(peerId) {
    const credits = this.view.state.field(authorshipField);
    if (!credits) return [];
    const at = Date.now();
    const known = peerId === undefined ? undefined : peerId === this.options.connection.peerId ? credits.me : credits.peers.get(peerId);
    // Not known (yet): kept with its peer, credited when the spans (fetched again) come.
    if (!known && credits.spans) this.reloadSoon();
    return [authorOf.of(known ? { ...known, at } : { ...UNKNOWN, at, peerId })];
  }

  /** Wires the toggle and the legend. @param {HTMLElement} button @param {HTMLElement} legend */
  attach(button, legend) {
    this.legend = legend;
    button.addEventListener('click', async () => {
      if (this.view.state.field(authorshipField)) {
        this.view.dispatch({ effects: setAuthorship.of(null) });
        button.setAttribute('aria-pressed', 'false');
        this.renderLegend();
        return;
      }
      button.setAttribute('aria-pressed', 'true');
      try {
        await this.load();
      } catch (error) {
        this.view.dispatch({ effects: setAuthorship.of(null) });
        button.setAttribute('aria-pressed', 'false');
        this.options.notify(`Who wrote what could not be shown: ${/** @type {Error} */ (error).message}`);
      }
      this.renderLegend();
    });
    // New authors join the legend as the document changes (at most twice a second).
    this.options.connection.addEventListener('committed', () => {
      if (legend.hidden || this.legendTimer) return;
      this.legendTimer = window.setTimeout(() => { this.legendTimer = 0; this.renderLegend(); }, 500);
    });
  }

  renderLegend() {
    if (!this.legend) return;
    const spans = this.spans();
    this.legend.hidden = !spans;
    this.legend.replaceChildren(...authorsOf(spans ?? []).map((a) => {
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = authorColour(authorKey(a));
      return el('li', {}, [swatch, a.guest ? `${a.authorName} (guest)` : a.authorName]);
    }));
  }

  /**
   * Fetches who wrote what at our revision (REST, exact) and the author of each peer present (hub),
   * then applies our unacknowledged edits and whatever the editor applied meanwhile.
   */
  async load() {
    if (this.loading) { this.again = true; return; }
    this.loading = true;
    try {
      await this.fetchSpans();
    } finally {
      this.loading = false;
      if (this.again) { this.again = false; this.reloadSoon(); }
    }
  }

  async fetchSpans() {
    const { connection, documentId } = this.options;
    const revision = connection.revision;
    const local = connection.localOps();
    const fallbackMe = this.options.me();
    const shown = this.view.state.field(authorshipField);
    // Fetched again, the spans shown stay until the new ones come.
    this.view.dispatch({ effects: setAuthorship.of(shown?.spans ? { ...shown, queue: [] } : { queue: [], me: fallbackMe, peers: new Map() }) });
    const [atRevision, present] = await Promise.all([
      json(`/api/documents/${encodeURIComponent(documentId)}/authorship?revision=${revision}`).catch(() => null),
      connection.authorship().catch(() => null),
    ]);
    const value = this.view.state.field(authorshipField);
    if (!value?.queue) return; // switched off meanwhile
    /** @type {AuthorSpan[] | null} */
    let spans = atRevision?.spans ?? (present?.revision === revision ? present.spans : null);
    if (!spans) throw new Error('the server did not say');
    /** @type {Map<string, PeerAuthor>} */
    const peers = new Map((present?.peers ?? []).map((/** @type {any} */ p) => [p.peerId, { authorId: p.authorId ?? null, authorName: p.authorName, guest: p.guest }]));
    const me = peers.get(connection.peerId) ?? fallbackMe;
    const now = Date.now();
    for (const op of local) spans = applyToSpans(spans, op, { ...me, at: now });
    for (const [op, author] of value.queue ?? []) {
      // Others' ops that came while loading are credited now, by the peer they came from.
      const { peerId, ...known } = author;
      spans = applyToSpans(spans, op, peerId === undefined ? known : { ...(peers.get(peerId) ?? UNKNOWN), at: known.at });
    }
    this.view.dispatch({ effects: setAuthorship.of({ spans, me, peers }) });
    this.renderLegend();
    // Ops that came while loading from peers the answer did not name: ask again.
    if ((value.queue ?? []).some(([, a]) => a.peerId !== undefined && !peers.has(a.peerId) && a.peerId !== connection.peerId)) this.reloadSoon();
  }

  /** Asks for the spans again shortly (an op came that the page could not credit). */
  reloadSoon() {
    if (this.reloadTimer) return;
    this.reloadTimer = window.setTimeout(() => {
      this.reloadTimer = 0;
      if (this.spans()) this.load().catch(() => {});
    }, 300);
  }
}
