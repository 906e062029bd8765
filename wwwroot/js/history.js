// @ts-check
// The history panel: revisions (who, when), the text at any revision, what changed since then,
// named versions, and restore. Everything from the server is rendered with textContent.

import { TextOperation } from './text-operation.js';
import { linkHeaders } from './access.js';

/** An element with attributes and children (text children stay text). @param {string} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children] */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

async function json(/** @type {string} */ url, /** @type {RequestInit} */ init = {}) {
  // Every URL here is /api/documents/{id}/…: a guest's link goes with it.
  const documentId = decodeURIComponent(url.split('/')[3] ?? '');
  const response = await fetch(url, { headers: { 'content-type': 'application/json', ...linkHeaders(documentId) }, ...init });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail ?? body?.title ?? `HTTP ${response.status}`);
  return body;
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

export class HistoryPanel {
  /**
   * @param {string} documentId
   * @param {HTMLElement} root
   * @param {() => string} currentText
   * @param {() => void} close closes the panel (its own Close button, Escape)
   */
  constructor(documentId, root, currentText, close) {
    this.base = `/api/documents/${encodeURIComponent(documentId)}`;
    this.root = root;
    this.currentText = currentText;
    this.close = close;
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
  }

  /** The panel's heading with its Close button: on a phone the panel covers the page's header. @param {string} text */
  heading(text) {
    const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close history' }, ['×']);
    close.addEventListener('click', () => this.close());
    return el('div', { class: 'panel-head' }, [el('h2', {}, [text]), close]);
  }

  hide() {
    this.root.hidden = true;
  }

  async show() {
    this.root.hidden = false;
    this.root.replaceChildren(this.heading('History'), el('p', { class: 'muted' }, ['Loading history…']));
    /** @type {HTMLElement} */ (this.root.querySelector('.close')).focus();
    const document = await json(this.base);
    const from = Math.max(0, document.revision - 100);
    const [entries, versions] = await Promise.all([
      json(`${this.base}/history?from=${from}&limit=100`),
      json(`${this.base}/versions`),
    ]);

    const name = /** @type {HTMLInputElement} */ (el('input', { placeholder: 'Version name', 'aria-label': 'Version name', id: 'version-name' }));
    const save = el('button', { id: 'save-version' }, ['Save version']);
    save.addEventListener('click', async () => {
      if (!name.value.trim()) return;
      await json(`${this.base}/versions`, { method: 'POST', body: JSON.stringify({ name: name.value.trim() }) });
      await this.show();
    });

    const versionList = el('ol', { id: 'versions' }, versions.map((/** @type {any} */ v) => {
      const button = el('button', { 'data-revision': String(v.revision) }, [`★ ${v.name} · r${v.revision}${v.author ? ` · ${v.author}` : ''}`]);
      button.addEventListener('click', () => this.select(v.revision));
      return el('li', {}, [button]);
    }));

    const revisionList = el('ol', { id: 'revisions' }, [...entries].reverse().map((/** @type {any} */ e) => {
      const time = new Date(e.timestamp).toLocaleTimeString();
      const button = el('button', { 'data-revision': String(e.revision) }, [`r${e.revision} · ${e.author} · ${time}`]);
      button.addEventListener('click', () => this.select(e.revision));
      return el('li', {}, [button]);
    }));
    const start = el('button', { 'data-revision': '0' }, ['r0 · created']);
    start.addEventListener('click', () => this.select(0));
    if (from === 0) revisionList.append(el('li', {}, [start]));

    this.detail = el('section', { id: 'revision-detail' });
    // Focus was on the Close button just replaced: give it to the new one, not to the page.
    const hadFocus = this.root.contains(globalThis.document.activeElement);
    this.root.replaceChildren(
      this.heading(`History · now at r${document.revision}`),
      el('div', {}, [name, ' ', save]),
      el('h3', {}, ['Named versions']),
      versions.length ? versionList : el('p', { class: 'muted' }, ['None yet.']),
      this.detail,
      el('h3', {}, ['Revisions']),
      revisionList,
    );
    if (hadFocus) /** @type {HTMLElement} */ (this.root.querySelector('.close')).focus();
  }

  /** Shows the text at `revision` and what changed since, with a restore button. */
  async select(/** @type {number} */ revision) {
    const [at, diff] = await Promise.all([
      json(`${this.base}/revisions/${revision}`),
      json(`${this.base}/diff?from=${revision}`),
    ]);
    const restore = el('button', { class: 'primary', id: 'restore' }, [`Restore r${revision}`]);
    restore.addEventListener('click', async () => {
      await json(`${this.base}/restore`, { method: 'POST', body: JSON.stringify({ revision }) });
      await this.show();
    });
    const op = TextOperation.fromJSON(diff.op);
    this.detail?.replaceChildren(
      el('h3', {}, [`Revision r${revision}`]),
      restore,
      el('h4', {}, [op.isNoop ? 'Same as now' : `Changes from r${revision} to now (r${diff.to})`]),
      renderDiff(at.text, op),
      el('h4', {}, [`Text at r${revision}`]),
      el('pre', { id: 'revision-text' }, [at.text]),
    );
  }
}
