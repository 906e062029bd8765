// @ts-check
// The history panel: editing sessions (who, when, what changed), each opening to its revisions,
// paged back to r0; the text at any revision and what changed since, beside its row; named
// versions; comparing any two revisions with the changes coloured by author; restore (confirmed,
// undoable: see editor.js); downloads. It follows the document live: the editor tells it of every
// committed revision. Everything from the server is rendered with textContent.

import { TextOperation } from './text-operation.js';
import { linkHeaders } from './access.js';
import { groupEntries, appendOlder, refreshNewest, summarize, authorNames, describeChange, revisionRange } from './sessions.js';
import { authorColour } from './authorship.js';

/** @typedef {import('./sessions.js').SessionGroup} SessionGroup */

/** Sessions per page of the list. */
const SESSIONS_PAGE = 20;
/** Revisions per page of an opened session. */
const REVISIONS_PAGE = 100;
/** Ops per history request when the sessions are grouped here (a server without /sessions). */
const HISTORY_PAGE = 500;

/** An element with attributes and children (text children stay text). @param {string} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children] */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** The document id in a URL /api/documents/{id}/…, whose share link goes with the request. @param {string} url */
function documentOf(url) {
  return decodeURIComponent(url.split('?')[0].split('/')[3] ?? '');
}

/** A JSON request; a failure throws with the server's problem detail (status in `status`). @param {string} url @param {RequestInit} [init] */
export async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...linkHeaders(documentOf(url)), ...init.headers } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(body?.detail ?? body?.title ?? `HTTP ${response.status}`), { status: response.status });
  return body;
}

/** Saves what `url` answers as a file (fetched, so a guest's link goes with it); `fallback` gives the text when the server has no such route. @param {string} url @param {string} name @param {() => Promise<string>} [fallback] */
export async function downloadFrom(url, name, fallback) {
  const response = await fetch(url, { headers: linkHeaders(documentOf(url)) });
  /** @type {Blob} */
  let blob;
  if (response.ok) blob = await response.blob();
  else if (response.status === 404 && fallback) blob = new Blob([await fallback()], { type: 'text/plain;charset=utf-8' });
  else throw new Error(`HTTP ${response.status}`);
  const href = URL.createObjectURL(blob);
  const link = el('a', { href, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A file name for `title` with `extension`. @param {string} title @param {string} extension */
export function fileName(title, extension) {
  return `${title.replace(/[\\/:*?"<>|]+/g, '_').trim() || 'document'}.${extension}`;
}

/** "30 Nov 2026, 09:12" @param {string} iso */
export function dateTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Renders `op` over `text` as plain, deleted and inserted runs. */
export function renderDiff(/** @type {string} */ text, /** @type {TextOperation} */ op) {
  const out = el('pre', { class: 'diff' });
  let pos = 0;
  for (const c of op.components) {
    if (typeof c === 'string') out.append(el('ins', {}, [c]));
    else if (c > 0) { out.append(text.slice(pos, pos + c)); pos += c; }
    else { out.append(el('del', {}, [text.slice(pos, pos - c)])); pos -= c; }
  }
  return out;
}

/**
 * Renders a comparison (`GET /compare` spans): inserted and deleted runs underlined in their
 * author's colour and named on hover.
 * @param {{ kind: string, text: string, authorId?: string, authorName?: string }[]} spans
 */
export function renderComparison(spans) {
  const out = el('pre', { class: 'diff compare' });
  for (const span of spans) {
    if (span.kind === 'equal') { out.append(span.text); continue; }
    const run = el(span.kind === 'insert' ? 'ins' : 'del', span.authorName ? { title: `${span.kind === 'insert' ? 'Added' : 'Removed'} by ${span.authorName}` } : {}, [span.text]);
    if (span.authorId) run.style.boxShadow = `inset 0 -3px 0 ${authorColour(span.authorId).replace('85%)', '45%)')}`;
    out.append(run);
  }
  return out;
}

/**
 * @typedef {{
 *   documentId: string, root: HTMLElement, title: () => string, revision: () => number,
 *   restore: (revision: number) => Promise<void>, afterRestore: () => void, openTimeslider: (revision: number) => void, close: () => void,
 * }} HistoryOptions
 */

export class HistoryPanel {
  /** @type {SessionGroup[]} */
  groups = [];
  /** @type {number | null} where the next older page ends (exclusive), null once r0 is listed */
  olderBefore = null;
  /** The server groups sessions (GET /sessions); otherwise they are grouped here from /history. */
  serverGroups = true;
  /** @type {Map<number, { li: HTMLElement, group: SessionGroup }>} rendered sessions by first revision */
  rendered = new Map();
  /** @type {number | null} */
  selected = null;
  refreshTimer = 0;
  shown = false;
  loadingOlder = false;

  /** @param {HistoryOptions} options */
  constructor(options) {
    this.options = options;
    this.base = `/api/documents/${encodeURIComponent(options.documentId)}`;
    this.root = options.root;
    this.root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !(event.target instanceof HTMLElement && event.target.closest('dialog'))) options.close();
    });
  }

  /** The panel's heading with its Close button: on a phone the panel covers the page's header. @param {string} text */
  heading(text) {
    const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close history' }, ['×']);
    close.addEventListener('click', () => this.options.close());
    return el('div', { class: 'panel-head' }, [el('h2', {}, [text]), close]);
  }

  hide() {
    this.shown = false;
    this.root.hidden = true;
  }

  /** A page of sessions ending before `before` (all the newest when undefined). @param {number} [before] @returns {Promise<{ groups: SessionGroup[], olderBefore: number | null }>} */
  async sessions(before) {
    if (this.serverGroups) {
      try {
        return await json(`${this.base}/sessions?limit=${SESSIONS_PAGE}${before === undefined ? '' : `&before=${before}`}`);
      } catch (error) {
        if (/** @type {any} */ (error).status !== 404) throw error;
        this.serverGroups = false;
      }
    }
    const end = before ?? this.options.revision() + 1;
    const from = Math.max(0, end - 1 - HISTORY_PAGE);
    const entries = end - 1 > from ? await json(`${this.base}/history?from=${from}&limit=${end - 1 - from}`) : [];
    return { groups: groupEntries(entries), olderBefore: from > 0 ? from + 1 : null };
  }

  async show() {
    this.shown = true;
    this.root.hidden = false;
    this.root.replaceChildren(this.heading('History'), el('p', { class: 'muted' }, ['Loading history…']));
    /** @type {HTMLElement} */ (this.root.querySelector('.close')).focus();
    const [page, versions] = await Promise.all([this.sessions(), json(`${this.base}/versions`)]);
    this.groups = page.groups;
    this.olderBefore = page.olderBefore;
    this.selected = null;

    const name = /** @type {HTMLInputElement} */ (el('input', { placeholder: 'Version name', 'aria-label': 'Version name', id: 'version-name' }));
    const save = el('button', { type: 'button', id: 'save-version' }, ['Save version']);
    save.addEventListener('click', async () => {
      if (!name.value.trim()) return;
      await json(`${this.base}/versions`, { method: 'POST', body: JSON.stringify({ name: name.value.trim() }) });
      await this.show();
    });
    const versionList = el('ol', { id: 'versions' }, versions.map((/** @type {any} */ v) => {
      const button = el('button', { type: 'button', 'data-revision': String(v.revision) }, [`★ ${v.name} · r${v.revision}${v.author ? ` · ${v.author}` : ''}`]);
      const li = el('li', {}, [button]);
      button.addEventListener('click', () => this.select(v.revision, li, button));
      return li;
    }));

    this.now = el('p', { id: 'history-now', class: 'muted' }, []);
    this.list = el('ol', { id: 'sessions' });
    this.older = el('button', { type: 'button', id: 'older' }, ['Older']);
    this.older.addEventListener('click', () => this.loadOlder());
    this.rendered.clear();
    this.renderGroups();

    const hadFocus = this.root.contains(globalThis.document.activeElement);
    this.root.replaceChildren(
      this.heading('History'),
      this.now,
      this.tools(),
      el('div', { class: 'history-row' }, [name, save]),
      el('h3', {}, ['Named versions']),
      versions.length ? versionList : el('p', { class: 'muted' }, ['None yet.']),
      this.compareForm(),
      el('h3', { id: 'sessions-heading' }, ['Editing sessions']),
      this.list,
      this.older,
    );
    this.list.setAttribute('aria-labelledby', 'sessions-heading');
    this.renderNow();
    if (hadFocus) /** @type {HTMLElement} */ (this.root.querySelector('.close')).focus();
  }

  /** Downloads and the timeslider. */
  tools() {
    const txt = el('button', { type: 'button', id: 'download-txt' }, ['Download .txt']);
    const md = el('button', { type: 'button', id: 'download-md' }, ['Download .md']);
    const slider = el('button', { type: 'button', id: 'open-timeslider' }, ['Timeslider']);
    for (const [button, format] of /** @type {const} */ ([[txt, 'txt'], [md, 'md']])) {
      button.addEventListener('click', () => downloadFrom(`${this.base}/download?format=${format}`, fileName(this.options.title(), format), async () => (await json(this.base)).text));
    }
    slider.addEventListener('click', () => this.options.openTimeslider(this.options.revision()));
    return el('div', { class: 'history-row' }, [slider, txt, md]);
  }

  /** Two revisions and a Compare button; the comparison shows under them. */
  compareForm() {
    const from = /** @type {HTMLInputElement} */ (el('input', { type: 'number', min: '0', id: 'compare-from', inputmode: 'numeric' }));
    const to = /** @type {HTMLInputElement} */ (el('input', { type: 'number', min: '0', id: 'compare-to', inputmode: 'numeric' }));
    to.value = String(this.options.revision());
    from.value = String(Math.max(0, this.options.revision() - 1));
    const go = el('button', { type: 'submit', id: 'compare' }, ['Compare']);
    this.comparison = el('div', { id: 'compare-result' });
    const form = el('form', { class: 'history-row compare-form', 'aria-labelledby': 'compare-heading' }, [
      el('label', { for: 'compare-from' }, ['From r']), from, el('label', { for: 'compare-to' }, ['to r']), to, go,
    ]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.compare(Number(from.value), Number(to.value), /** @type {HTMLElement} */ (this.comparison)).catch((error) => {
        this.comparison?.replaceChildren(el('p', { class: 'error' }, [error.message]));
      });
    });
    this.compareInputs = { from, to };
    return el('section', {}, [el('h3', { id: 'compare-heading' }, ['Compare two revisions']), form, this.comparison]);
  }

  /** Shows what changed from `from` to `to` in `into`, coloured by author where the server says who. @param {number} from @param {number} to @param {HTMLElement} into */
  async compare(from, to, into) {
    const [a, b] = from <= to ? [from, to] : [to, from];
    into.replaceChildren(el('p', { class: 'muted' }, ['Comparing…']));
    /** @type {HTMLElement} */
    let shown;
    try {
      const result = await json(`${this.base}/compare?from=${a}&to=${b}`);
      shown = renderComparison(result.spans);
    } catch (error) {
      if (/** @type {any} */ (error).status !== 404) throw error;
      const [at, diff] = await Promise.all([json(`${this.base}/revisions/${a}`), json(`${this.base}/diff?from=${a}&to=${b}`)]);
      shown = renderDiff(at.text, TextOperation.fromJSON(diff.op));
    }
    into.replaceChildren(el('h4', {}, [`Changes from r${a} to r${b}`]), shown);
  }

  renderNow() {
    if (this.now) this.now.textContent = `Now at r${this.options.revision()}`;
  }

  /** Brings the list in line with `this.groups`: new and changed sessions are drawn again, the rest stay (opened, selected). */
  renderGroups() {
    const list = /** @type {HTMLElement} */ (this.list);
    const keep = new Set(this.groups.map((g) => g.fromRevision));
    for (const [from, { li }] of this.rendered) {
      if (!keep.has(from)) { li.remove(); this.rendered.delete(from); }
    }
    /** @type {HTMLElement | null} */
    let before = null;
    for (const group of [...this.groups].reverse()) {
      const existing = this.rendered.get(group.fromRevision);
      let li;
      if (existing && existing.group.toRevision === group.toRevision) {
        li = existing.li;
      } else if (existing) {
        existing.group = group;
        this.drawHead(existing.li, group);
        const revisions = existing.li.querySelector('ol.revisions');
        if (revisions) this.prependRevisions(/** @type {HTMLElement} */ (revisions), group);
        li = existing.li;
      } else {
        li = el('li', { class: 'session', 'data-from': String(group.fromRevision) });
        this.drawHead(li, group);
        this.rendered.set(group.fromRevision, { li, group });
      }
      if (li.parentElement !== list || li.nextElementSibling !== before) list.insertBefore(li, before);
      before = li;
    }
    let start = list.querySelector('li.start');
    if (this.olderBefore === null && !start) {
      const button = el('button', { type: 'button', 'data-revision': '0' }, ['r0 · created']);
      start = el('li', { class: 'start' }, [button]);
      const startLi = /** @type {HTMLElement} */ (start);
      button.addEventListener('click', () => this.select(0, startLi, button));
      list.append(start);
    } else if (start && start.parentElement === list && start !== list.lastElementChild) {
      list.append(start);
    }
    if (this.older) this.older.hidden = this.olderBefore === null;
  }

  /** A session's header: authors, date and time, what changed; it opens to the revisions. @param {HTMLElement} li @param {SessionGroup} group */
  drawHead(li, group) {
    const open = li.querySelector('ol.revisions') !== null;
    const head = el('button', { type: 'button', class: 'session-head', 'aria-expanded': String(open), 'data-to': String(group.toRevision) }, [
      el('span', { class: 'session-who' }, [authorNames(group.authors)]),
      el('span', { class: 'session-when' }, [`${dateTime(group.startedAt)}${group.endedAt !== group.startedAt ? ` – ${new Date(group.endedAt).toLocaleTimeString(undefined, { timeStyle: 'short' })}` : ''} · ${revisionRange(group)}`]),
      el('span', { class: 'session-what' }, [group.restoredFrom != null ? `restored r${group.restoredFrom} · ${describeChange(group)}` : describeChange(group)]),
      ...(group.preview ? [el('span', { class: 'session-preview' }, [`“${group.preview}”`])] : []),
    ]);
    head.addEventListener('click', () => this.toggle(li));
    const old = li.querySelector('.session-head');
    if (old) old.replaceWith(head);
    else li.prepend(head);
  }

  /** Opens or closes a session's revisions. @param {HTMLElement} li */
  async toggle(li) {
    const head = /** @type {HTMLElement} */ (li.querySelector('.session-head'));
    const shown = li.querySelector('ol.revisions');
    if (shown) {
      shown.remove();
      li.querySelector('.older-revisions')?.remove();
      head.setAttribute('aria-expanded', 'false');
      return;
    }
    const entry = this.rendered.get(Number(li.dataset.from));
    if (!entry) return;
    const revisions = el('ol', { class: 'revisions', 'aria-label': `Revisions ${revisionRange(entry.group)}` });
    revisions.dataset.newest = String(entry.group.toRevision);
    revisions.dataset.oldest = String(entry.group.toRevision + 1);
    head.after(revisions);
    head.setAttribute('aria-expanded', 'true');
    await this.appendRevisions(li, revisions, entry.group);
  }

  /** The next page of a session's revisions, older than those shown. @param {HTMLElement} li @param {HTMLElement} revisions @param {SessionGroup} group */
  async appendRevisions(li, revisions, group) {
    // One page at a time: a second click while one loads would list it twice.
    if (revisions.dataset.loading) return;
    revisions.dataset.loading = 'true';
    try {
      await this.appendRevisionPage(li, revisions, group);
    } finally {
      delete revisions.dataset.loading;
    }
  }

  /** @param {HTMLElement} li @param {HTMLElement} revisions @param {SessionGroup} group */
  async appendRevisionPage(li, revisions, group) {
    const upper = Number(revisions.dataset.oldest) - 1;
    const from = Math.max(group.fromRevision - 1, upper - REVISIONS_PAGE);
    const entries = await json(`${this.base}/history?from=${from}&limit=${upper - from}`);
    revisions.append(...[...entries].reverse().map((/** @type {any} */ e) => this.revisionRow(e)));
    revisions.dataset.oldest = String(entries.length ? entries[0].revision : from + 1);
    li.querySelector('.older-revisions')?.remove();
    if (Number(revisions.dataset.oldest) > group.fromRevision) {
      const more = el('button', { type: 'button', class: 'older-revisions' }, ['Older revisions']);
      more.addEventListener('click', () => this.appendRevisions(li, revisions, group));
      revisions.after(more);
    }
  }

  /** Rows for the revisions a session gained since it was opened. @param {HTMLElement} revisions @param {SessionGroup} group */
  async prependRevisions(revisions, group) {
    const newest = Number(revisions.dataset.newest);
    if (group.toRevision <= newest) return;
    revisions.dataset.newest = String(group.toRevision);
    const entries = await json(`${this.base}/history?from=${newest}&limit=${Math.min(group.toRevision - newest, 1000)}`);
    revisions.prepend(...[...entries].reverse().map((/** @type {any} */ e) => this.revisionRow(e)));
  }

  /** One revision: number, time, what it changed. @param {{ revision: number, op: unknown, author: string, timestamp: string }} entry */
  revisionRow(entry) {
    const { added, removed, preview } = summarize(TextOperation.fromJSON(entry.op));
    const time = new Date(entry.timestamp).toLocaleTimeString();
    const button = el('button', { type: 'button', 'data-revision': String(entry.revision) }, [
      `r${entry.revision} · ${time} · +${added} −${removed}${preview ? ` “${preview}”` : ''}`,
    ]);
    const li = el('li', {}, [button]);
    button.addEventListener('click', () => this.select(entry.revision, li, button));
    return li;
  }

  async loadOlder() {
    // One page at a time: a second click while one loads would list it twice.
    if (this.olderBefore === null || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      const page = await this.sessions(this.olderBefore);
      this.groups = appendOlder(this.groups, page.groups);
      this.olderBefore = page.olderBefore;
      this.renderGroups();
    } finally {
      this.loadingOlder = false;
    }
  }

  /** The document reached `revision` (an edit here or anyone's): the list follows, shortly. @param {number} _revision */
  committed(_revision) {
    if (!this.shown) return;
    this.renderNow();
    if (this.refreshTimer) return;
    this.refreshTimer = window.setTimeout(async () => {
      this.refreshTimer = 0;
      if (!this.shown || !this.list) return;
      const fresh = await this.sessions().catch(() => null);
      if (!fresh) return;
      this.groups = refreshNewest(this.groups, fresh.groups);
      this.renderGroups();
      this.renderNow();
    }, 1000);
  }

  /**
   * Shows revision `revision` beside its row (`li`): the row highlighted, its text, what changed
   * since, and Restore; scrolled into view.
   * @param {number} revision @param {HTMLElement} li @param {HTMLElement} button
   */
  async select(revision, li, button) {
    for (const old of this.root.querySelectorAll('[aria-current="true"]')) old.removeAttribute('aria-current');
    this.root.querySelector('#revision-detail')?.remove();
    button.setAttribute('aria-current', 'true');
    this.selected = revision;
    const detail = el('section', { id: 'revision-detail', 'aria-label': `Revision r${revision}` }, [el('p', { class: 'muted' }, ['Loading…'])]);
    li.append(detail);
    if (this.compareInputs) this.compareInputs.from.value = String(revision);

    const now = this.options.revision();
    const at = await json(`${this.base}/revisions/${revision}`);
    if (this.selected !== revision || !detail.isConnected) return;
    const restore = el('button', { type: 'button', class: 'primary', id: 'restore' }, [`Restore r${revision}`]);
    restore.addEventListener('click', () => this.confirmRestore(revision));
    const download = el('button', { type: 'button', id: 'download-revision' }, ['Download']);
    download.addEventListener('click', () => downloadFrom(`${this.base}/revisions/${revision}/download`, fileName(`${this.options.title()} r${revision}`, 'txt'), async () => at.text));
    const slider = el('button', { type: 'button' }, ['Play from here']);
    slider.addEventListener('click', () => this.options.openTimeslider(revision));
    const changes = el('div', { class: 'revision-changes' });
    detail.replaceChildren(
      el('h3', {}, [`Revision r${revision}`]),
      el('div', { class: 'history-row' }, [restore, download, slider]),
      changes,
      el('h4', {}, [`Text at r${revision}`]),
      el('pre', { id: 'revision-text' }, [at.text]),
    );
    detail.scrollIntoView({ block: 'nearest' });
    if (revision < now) await this.compare(revision, now, changes).catch(() => {});
    else changes.replaceChildren(el('p', { class: 'muted' }, ['Same as now.']));
  }

  /** Asks before restoring: everyone's text changes. @param {number} revision */
  confirmRestore(revision) {
    const yes = el('button', { type: 'button', class: 'primary', id: 'confirm-restore' }, [`Restore r${revision}`]);
    const no = el('button', { type: 'button', id: 'cancel-restore' }, ['Cancel']);
    const error = el('p', { class: 'error', role: 'alert' });
    const dialog = /** @type {HTMLDialogElement} */ (el('dialog', { class: 'share confirm', 'aria-labelledby': 'restore-heading' }, [
      el('h2', { id: 'restore-heading' }, [`Restore r${revision}?`]),
      el('p', {}, [`Everyone’s text becomes the text of r${revision}; the others are told you restored it. You can undo it with Ctrl+Z, like any of your edits.`]),
      error,
      el('div', { class: 'history-row' }, [yes, no]),
    ]));
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => dialog.remove());
    yes.addEventListener('click', async () => {
      yes.setAttribute('disabled', '');
      try {
        await this.options.restore(revision);
        dialog.close();
        this.options.afterRestore();
      } catch (e) {
        error.textContent = `The revision could not be restored: ${/** @type {Error} */ (e).message}`;
        yes.removeAttribute('disabled');
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  }
}
