// @ts-check
// The Share dialog (the owner's): give people a role by user name or e-mail, make "anyone with the
// link" links (view or edit) with a copy button, and take either away. Every change applies to
// open pages at once (the server tells them).

import { el } from './history.js';

/** @typedef {{ accountId: string, userName: string, displayName: string, role: string }} AccessEntry */
/** @typedef {{ id: string, role: string, createdAt: string, token?: string }} LinkInfo */

export class ShareDialog {
  /** @param {string} documentId @param {string} title */
  constructor(documentId, title) {
    this.documentId = documentId;
    this.base = `/api/documents/${encodeURIComponent(documentId)}`;
    this.people = el('ul', { class: 'share-list', 'aria-label': 'People with access' });
    this.links = el('ul', { class: 'share-list', 'aria-label': 'Share links' });
    this.made = el('p', { class: 'share-made', role: 'status' });
    this.audit = el('ul', { class: 'share-list audit', 'aria-label': 'Activity' });
    this.who = /** @type {HTMLInputElement} */ (el('input', { id: 'share-who', autocomplete: 'off', required: '' }));
    this.role = /** @type {HTMLSelectElement} */ (el('select', { id: 'share-role' }, [el('option', { value: 'editor' }, ['Editor']), el('option', { value: 'viewer' }, ['Viewer'])]));
    const add = el('form', { class: 'share-add' }, [
      el('label', { for: 'share-who' }, ['User name or e-mail']), this.who,
      el('label', { for: 'share-role' }, ['Role']), this.role,
      el('button', { type: 'submit', class: 'primary' }, ['Share']),
    ]);
    add.addEventListener('submit', (event) => { event.preventDefault(); this.#grant(); });
    const viewLink = el('button', { type: 'button' }, ['Create a view link']);
    const editLink = el('button', { type: 'button' }, ['Create an edit link']);
    viewLink.addEventListener('click', () => this.#createLink('viewer'));
    editLink.addEventListener('click', () => this.#createLink('editor'));
    const close = el('button', { type: 'button' }, ['Done']);
    this.error = el('p', { class: 'share-error', role: 'alert' });
    this.dialog = /** @type {HTMLDialogElement} */ (el('dialog', { class: 'share', 'aria-labelledby': 'share-title' }, [
      el('h2', { id: 'share-title' }, [`Share “${title}”`]),
      add, this.error,
      el('h3', {}, ['People with access']), this.people,
      el('h3', {}, ['Anyone with the link']),
      el('p', { class: 'share-actions' }, [viewLink, ' ', editLink]), this.made, this.links,
      el('details', {}, [el('summary', {}, ['Activity: who was given or lost access, used a link, restored, renamed, deleted']), this.audit]),
      el('p', { class: 'share-actions' }, [close]),
    ]));
    close.addEventListener('click', () => this.dialog.close());
    document.body.append(this.dialog);
  }

  async open() {
    this.made.replaceChildren();
    this.error.textContent = '';
    this.dialog.showModal();
    await this.#load();
  }

  async #load() {
    const response = await fetch(`${this.base}/access`);
    if (!response.ok) { this.error.textContent = 'The access list could not be read.'; return; }
    const access = /** @type {{ owner: AccessEntry, grants: AccessEntry[], links: LinkInfo[] }} */ (await response.json());
    this.people.replaceChildren(
      el('li', {}, [`${access.owner.displayName} (${access.owner.userName}) — owner`]),
      ...access.grants.map((g) => {
        const remove = el('button', { type: 'button', 'aria-label': `Remove ${g.displayName}` }, ['Remove']);
        remove.addEventListener('click', () => this.#send('DELETE', `/access/${encodeURIComponent(g.accountId)}`));
        return el('li', {}, [`${g.displayName} (${g.userName}) — ${g.role} `, remove]);
      }));
    this.links.replaceChildren(...access.links.map((l) => {
      const made = new Date(l.createdAt).toLocaleString();
      const revoke = el('button', { type: 'button', 'aria-label': `Revoke the link made ${made}` }, ['Revoke']);
      revoke.addEventListener('click', () => this.#send('DELETE', `/links/${encodeURIComponent(l.id)}`));
      // The same link can be changed from view to edit and back: its holders' pages follow at once.
      const role = /** @type {HTMLSelectElement} */ (el('select', { 'aria-label': `What the link made ${made} allows` }, [
        el('option', { value: 'viewer' }, ['Can view']), el('option', { value: 'editor' }, ['Can edit'])]));
      role.value = l.role;
      role.addEventListener('change', () => this.#send('PUT', `/links/${encodeURIComponent(l.id)}`, { role: role.value }));
      return el('li', { 'data-link-id': l.id }, [role, ` · made ${made} `, revoke]);
    }));
    await this.#loadAudit();
  }

  async #loadAudit() {
    const response = await fetch(`${this.base}/audit`);
    if (!response.ok) return;
    const lines = /** @type {{ at: string, actor: string, action: string, detail: string }[]} */ (await response.json());
    // Newest first; all of it text, never HTML.
    this.audit.replaceChildren(...lines.reverse().map((a) =>
      el('li', {}, [`${new Date(a.at).toLocaleString()} · ${a.actor} ${a.action}${a.detail ? `: ${a.detail}` : ''}`])));
    if (lines.length === 0) this.audit.replaceChildren(el('li', {}, ['Nothing yet.']));
  }

  async #grant() {
    await this.#send('PUT', '/access', { user: this.who.value.trim(), role: this.role.value });
    this.who.value = '';
  }

  /** @param {string} role */
  async #createLink(role) {
    const response = await fetch(`${this.base}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) });
    if (!response.ok) { this.error.textContent = 'The link could not be made.'; return; }
    const link = /** @type {LinkInfo} */ (await response.json());
    // The token is shown this once: only its hash is kept on the server.
    const url = `${location.origin}/d/${encodeURIComponent(this.documentId)}#link=${link.token}`;
    const field = /** @type {HTMLInputElement} */ (el('input', { readonly: '', value: url, id: 'share-url', 'aria-label': role === 'editor' ? 'Edit link' : 'View link' }));
    const copy = el('button', { type: 'button', id: 'share-copy' }, ['Copy link']);
    copy.addEventListener('click', async () => {
      field.select();
      try { await navigator.clipboard.writeText(url); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy'; }
    });
    this.made.replaceChildren(`${role === 'editor' ? 'Anyone with this link can edit' : 'Anyone with this link can view'} (shown once): `, field, ' ', copy);
    await this.#load();
  }

  /** @param {string} method @param {string} path @param {unknown} [body] */
  async #send(method, path, body) {
    this.error.textContent = '';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      this.error.textContent = problem?.detail ?? `That did not work (HTTP ${response.status}).`;
    }
    await this.#load();
  }
}
