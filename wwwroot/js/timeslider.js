// @ts-check
// The timeslider: the document played back from r0 to now, or scrubbed to any revision, one edit
// or one session at a time, at a chosen speed, with authorship colours, and a link to the revision
// shown (#r=N). Each position is one request for the text at that revision (the server reads it
// from its nearest snapshot, so a step costs the same at r100 and r100,000); the whole playback
// makes no request that grows with the history's length. A newer position asked for while one is
// loading replaces it, so scrubbing fast loads only where the slider stops.

import { el, json, downloadFrom, fileName, dateTime } from './history.js';
import { spanRanges, authorsOf, authorColour, authorKey } from './authorship.js';

/** @typedef {import('./sessions.js').SessionGroup} SessionGroup */
/** @typedef {import('./authorship.js').AuthorSpan} AuthorSpan */

/** Revisions a second, for the speed menu. */
const SPEEDS = [1, 2, 5, 10, 25, 50];

/** The revision a URL's fragment links to (#r=N), or null. @param {string} hash */
export function linkedRevision(hash) {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get('r');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * @typedef {{
 *   documentId: string, title: () => string, revision: () => number,
 *   sessions: (before?: number) => Promise<{ groups: SessionGroup[], olderBefore: number | null }>,
 * }} TimesliderOptions
 */

export class Timeslider {
  /** The revision shown (or being loaded). */
  position = 0;
  /** The request whose answer may be shown: later ones win. */
  ticket = 0;
  playTimer = 0;
  /** @type {SessionGroup[]} sessions loaded so far, newest first */
  groups = [];
  /** @type {number | null | undefined} undefined: none loaded yet */
  olderBefore = undefined;

  /** @param {TimesliderOptions} options */
  constructor(options) {
    this.options = options;
    this.base = `/api/documents/${encodeURIComponent(options.documentId)}`;
    this.range = /** @type {HTMLInputElement} */ (el('input', { type: 'range', id: 'ts-range', min: '0', step: '1', 'aria-label': 'Revision' }));
    this.label = el('output', { id: 'ts-revision', for: 'ts-range' });
    this.text = el('pre', { id: 'ts-text', class: 'ts-text', tabindex: '0', 'aria-label': 'Text at this revision' });
    this.legend = el('ul', { class: 'legend', id: 'ts-legend', 'aria-label': 'Authors' });
    this.play = el('button', { type: 'button', id: 'ts-play' }, ['Play']);
    this.speed = /** @type {HTMLSelectElement} */ (el('select', { id: 'ts-speed' }, SPEEDS.map((s) => el('option', { value: String(s) }, [`${s} per second`]))));
    this.speed.value = '10';
    this.colours = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox', id: 'ts-colours' }));
    this.colours.checked = true;
    this.link = /** @type {HTMLInputElement} */ (el('input', { id: 'ts-link', readonly: '', 'aria-label': 'Link to this revision' }));
    const button = (/** @type {string} */ id, /** @type {string} */ text, /** @type {() => void} */ action) => {
      const b = el('button', { type: 'button', id }, [text]);
      b.addEventListener('click', action);
      return b;
    };
    const close = button('ts-close', 'Close', () => this.dialog.close());
    this.dialog = /** @type {HTMLDialogElement} */ (el('dialog', { class: 'timeslider', 'aria-labelledby': 'ts-heading' }, [
      el('div', { class: 'panel-head' }, [el('h2', { id: 'ts-heading' }, ['Timeslider']), close]),
      el('div', { class: 'history-row' }, [this.range, this.label]),
      el('div', { class: 'history-row' }, [
        button('ts-first', '⏮ r0', () => this.go(0)),
        button('ts-prev-session', '◀◀ Session', () => this.stepSession(-1)),
        button('ts-prev', '◀ Edit', () => this.go(this.position - 1)),
        this.play,
        button('ts-next', 'Edit ▶', () => this.go(this.position + 1)),
        button('ts-next-session', 'Session ▶▶', () => this.stepSession(1)),
        button('ts-last', 'Now ⏭', () => this.go(this.options.revision())),
      ]),
      el('div', { class: 'history-row' }, [
        el('label', { for: 'ts-speed' }, ['Speed']), this.speed,
        el('label', {}, [this.colours, ' Authorship colours']),
        button('ts-download', 'Download this revision', () => this.download()),
      ]),
      el('div', { class: 'history-row' }, [el('label', { for: 'ts-link' }, ['Link']), this.link, button('ts-copy', 'Copy', () => navigator.clipboard?.writeText(this.link.value).catch(() => {}))]),
      this.legend,
      this.text,
    ]));
    this.range.addEventListener('input', () => this.go(Number(this.range.value)));
    this.play.addEventListener('click', () => (this.playTimer ? this.pause() : this.start()));
    this.colours.addEventListener('change', () => this.go(this.position));
    this.dialog.addEventListener('close', () => {
      this.pause();
      if (linkedRevision(location.hash) !== null) history.replaceState(null, '', location.pathname + location.search + withoutRevision(location.hash));
    });
  }

  /** Opens at `revision`. @param {number} revision */
  open(revision) {
    if (!this.dialog.isConnected) document.body.append(this.dialog);
    this.range.max = String(this.options.revision());
    if (!this.dialog.open) this.dialog.showModal();
    this.range.focus();
    return this.go(revision);
  }

  /** The document reached `revision`: the slider reaches it too. @param {number} revision */
  committed(revision) {
    this.range.max = String(revision);
    // The newest session grew or a new one began: sessions are loaded again when next needed.
    this.groups = [];
    this.olderBefore = undefined;
  }

  /** Shows `revision` (clamped to r0…now). Resolves once it is shown, or replaced by a later one. @param {number} revision */
  async go(revision) {
    const now = this.options.revision();
    this.range.max = String(now);
    const target = Math.max(0, Math.min(now, Math.round(revision)));
    this.position = target;
    this.range.value = String(target);
    this.label.textContent = `r${target} of r${now}`;
    const ticket = ++this.ticket;
    const coloured = this.colours.checked;
    const [at, authorship] = await Promise.all([
      json(`${this.base}/revisions/${target}`),
      coloured ? json(`${this.base}/authorship?revision=${target}`).catch(() => null) : Promise.resolve(null),
    ]);
    if (ticket !== this.ticket) return;
    this.render(at.text, authorship?.spans ?? null);
    this.text.dataset.revision = String(target);
    this.link.value = `${location.origin}${location.pathname}#${withRevision(location.hash, target)}`;
  }

  /** @param {string} text @param {AuthorSpan[] | null} spans */
  render(text, spans) {
    if (!spans) {
      this.text.replaceChildren(text);
      this.legend.replaceChildren();
      return;
    }
    this.text.replaceChildren(...spanRanges(spans).map(({ from, to, span }) => {
      const run = el('span', { class: 'author-run', title: `${span.authorName}${span.guest ? ' (guest)' : ''} · ${dateTime(span.at)}` }, [text.slice(from, to)]);
      run.style.background = authorColour(authorKey(span));
      return run;
    }));
    this.legend.replaceChildren(...authorsOf(spans).map((a) => {
      const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.background = authorColour(authorKey(a));
      return el('li', {}, [swatch, a.guest ? `${a.authorName} (guest)` : a.authorName]);
    }));
  }

  start() {
    if (this.position >= this.options.revision()) this.position = -1;
    this.play.textContent = 'Pause';
    const tick = async () => {
      if (this.position >= this.options.revision()) { this.pause(); return; }
      await this.go(this.position + 1);
      if (this.playTimer) this.playTimer = window.setTimeout(tick, 1000 / Number(this.speed.value));
    };
    this.playTimer = window.setTimeout(tick, 0);
  }

  pause() {
    clearTimeout(this.playTimer);
    this.playTimer = 0;
    this.play.textContent = 'Play';
  }

  /** To the end of the next (1) or previous (-1) editing session (r0 counts as one). @param {1 | -1} direction */
  async stepSession(direction) {
    const here = this.position;
    // Sessions come newest first, a page at a time: load until the one wanted is certain.
    for (;;) {
      if (this.olderBefore === undefined || this.groups.length === 0) {
        if (this.olderBefore === null) break;
        const page = await this.options.sessions(this.olderBefore ?? undefined);
        this.groups = [...this.groups, ...page.groups];
        this.olderBefore = page.olderBefore;
        if (page.groups.length === 0) break;
        continue;
      }
      const oldest = this.groups[this.groups.length - 1].fromRevision;
      const certain = direction > 0 ? oldest <= here : this.groups.some((g) => g.toRevision < here);
      if (certain || this.olderBefore === null) break;
      const page = await this.options.sessions(this.olderBefore);
      this.groups = [...this.groups, ...page.groups];
      this.olderBefore = page.olderBefore;
    }
    const ends = [0, ...this.groups.map((g) => g.toRevision)];
    const target = direction > 0
      ? Math.min(...ends.filter((r) => r > here))
      : Math.max(...ends.filter((r) => r < here));
    if (Number.isFinite(target)) await this.go(target);
  }

  async download() {
    const revision = this.position;
    await downloadFrom(`${this.base}/revisions/${revision}/download`, fileName(`${this.options.title()} r${revision}`, 'txt'),
      async () => (await json(`${this.base}/revisions/${revision}`)).text);
  }
}

/** The fragment with r=N set, others (a share link's token) kept. @param {string} hash @param {number} revision */
function withRevision(hash, revision) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.set('r', String(revision));
  return params.toString();
}

/** The fragment without r. @param {string} hash */
function withoutRevision(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('r');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}
