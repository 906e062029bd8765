// @ts-check
// The documents page: what you own (open, delete) and what others shared with you; create.
// Signed out, it sends you to the sign-in page.

import { registerServiceWorker } from './app-shell.js';
import { DeviceStore } from './device-store.js';
import { goSignIn, signedIn, signOut } from './access.js';

/** Offline copies of documents not opened for this long are removed (never unsent edits). */
const KEEP_COPIES_MS = 30 * 24 * 60 * 60 * 1000;

/** The list as the search box and the sort menu ask for it. */
function listUrl() {
  const q = /** @type {HTMLInputElement} */ (document.getElementById('search')).value.trim();
  const sort = /** @type {HTMLSelectElement} */ (document.getElementById('sort')).value;
  const params = new URLSearchParams({ sort });
  if (q) params.set('q', q);
  return `/api/documents?${params}`;
}

async function load() {
  const response = await fetch(listUrl());
  if (response.status === 401) { goSignIn(); return; }
  const all = await response.json();
  const documents = all.filter((/** @type {any} */ d) => d.role === 'owner');
  const shared = all.filter((/** @type {any} */ d) => d.role !== 'owner');
  const sharedBody = /** @type {HTMLElement} */ (document.getElementById('shared'));
  sharedBody.replaceChildren(...shared.map((/** @type {any} */ d) => {
    const link = document.createElement('a');
    link.href = `/d/${encodeURIComponent(d.id)}`;
    link.textContent = d.title; // text, never HTML
    const cells = [link, d.owner, d.role === 'editor' ? 'Editor' : 'Viewer'].map((content) => {
      const cell = document.createElement('td');
      cell.append(content);
      return cell;
    });
    const row = document.createElement('tr');
    row.append(...cells);
    return row;
  }));
  /** @type {HTMLElement} */ (document.getElementById('none-shared')).hidden = shared.length > 0;
  const body = /** @type {HTMLElement} */ (document.getElementById('documents'));
  body.replaceChildren(...documents.map((/** @type {any} */ d) => {
    const row = document.createElement('tr');
    const title = document.createElement('td');
    const link = document.createElement('a');
    link.href = `/d/${encodeURIComponent(d.id)}`;
    link.textContent = d.title; // text, never HTML
    title.append(link);
    const edited = document.createElement('td');
    edited.textContent = `${new Date(d.updatedAt).toLocaleString()} · r${d.revision}`;
    edited.className = 'muted edited';
    const actions = document.createElement('td');
    const remove = document.createElement('button');
    remove.type = 'button';
    // Named for what it deletes: a screen reader's list of buttons is otherwise "Delete, Delete…".
    const which = document.createElement('span');
    which.className = 'visually-hidden';
    which.textContent = ` “${d.title}”`; // text, never HTML
    remove.append('Delete', which);
    remove.addEventListener('click', async () => {
      if (!confirm(`Move “${d.title}” to your trash? (It is deleted for good after 30 days.)`)) return;
      await fetch(`/api/documents/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      await Promise.all([load(), loadTrash()]);
    });
    actions.append(remove);
    row.append(title, edited, actions);
    return row;
  }));
  const empty = /** @type {HTMLElement} */ (document.getElementById('empty'));
  empty.hidden = documents.length > 0;
  empty.textContent = /** @type {HTMLInputElement} */ (document.getElementById('search')).value.trim()
    ? 'No document of yours matches.'
    : 'No documents yet: create one above.';
}

/** The trash: documents you deleted, to restore or delete for good. */
async function loadTrash() {
  const response = await fetch('/api/trash');
  if (!response.ok) return;
  const trashed = await response.json();
  const list = /** @type {HTMLElement} */ (document.getElementById('trash'));
  list.replaceChildren(...trashed.map((/** @type {any} */ d) => {
    const restore = document.createElement('button');
    restore.type = 'button';
    restore.textContent = 'Restore';
    restore.setAttribute('aria-label', `Restore “${d.title}”`);
    restore.addEventListener('click', async () => {
      await fetch(`/api/trash/${encodeURIComponent(d.id)}/restore`, { method: 'POST' });
      await Promise.all([load(), loadTrash()]);
    });
    const purge = document.createElement('button');
    purge.type = 'button';
    purge.textContent = 'Delete for good';
    purge.setAttribute('aria-label', `Delete “${d.title}” for good`);
    purge.addEventListener('click', async () => {
      if (!confirm(`Delete “${d.title}” and its whole history for good?`)) return;
      await fetch(`/api/trash/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      await loadTrash();
    });
    const item = document.createElement('li');
    item.append(`${d.title} · deleted ${new Date(d.trashedAt).toLocaleString()} `, restore, ' ', purge);
    return item;
  }));
  if (trashed.length === 0) list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'The trash is empty.' }));
}

let creating = false;
/** @type {HTMLFormElement} */ (document.getElementById('create')).addEventListener('submit', async (event) => {
  event.preventDefault();
  // One click, one document: a second click (or Enter) while the first is on its way does nothing.
  if (creating) return;
  creating = true;
  const button = /** @type {HTMLButtonElement} */ (document.querySelector('#create button[type=submit]'));
  button.disabled = true;
  const input = /** @type {HTMLInputElement} */ (document.getElementById('new-title'));
  try {
    const response = await fetch('/api/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: input.value.trim() || undefined }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const created = await response.json();
    location.href = `/d/${encodeURIComponent(created.id)}`;
  } catch {
    creating = false;
    button.disabled = false;
  }
});

// Find: the list follows the search box (shortly after typing stops) and the sort menu.
let findTimer = 0;
const reload = () => {
  clearTimeout(findTimer);
  findTimer = window.setTimeout(() => load().catch(() => {}), 250);
};
/** @type {HTMLElement} */ (document.getElementById('search')).addEventListener('input', reload);
/** @type {HTMLElement} */ (document.getElementById('sort')).addEventListener('change', reload);
/** @type {HTMLElement} */ (document.getElementById('find')).addEventListener('submit', (event) => { event.preventDefault(); reload(); });

/**
 * Creates a document from a text file: the server checks it (UTF-8, the size of a paste) and says
 * what is wrong in plain words, shown here.
 * @param {File} file
 */
async function importFile(file) {
  const error = /** @type {HTMLElement} */ (document.getElementById('import-error'));
  error.textContent = '';
  const form = new FormData();
  form.append('file', file, file.name);
  try {
    const response = await fetch('/api/documents/import', { method: 'POST', body: form });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      error.textContent = `“${file.name}” was not imported: ${body?.detail ?? body?.title ?? `the server answered ${response.status}`}`;
      return;
    }
    location.href = `/d/${encodeURIComponent(body.id)}`;
  } catch {
    error.textContent = `“${file.name}” was not imported (are you offline?).`;
  }
}
const fileInput = /** @type {HTMLInputElement} */ (document.getElementById('import-file'));
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) importFile(file).finally(() => { fileInput.value = ''; });
});
const drop = /** @type {HTMLElement} */ (document.getElementById('drop'));
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) importFile(file);
});

registerServiceWorker();
signedIn().then((account) => {
  if (!account) return;
  /** @type {HTMLElement} */ (document.getElementById('account')).textContent = `Signed in as ${account.displayName}`;
  /** @type {HTMLElement} */ (document.getElementById('account-menu')).hidden = false;
  /** @type {HTMLElement} */ (document.getElementById('sign-out')).addEventListener('click', () => signOut());
  /** @type {HTMLElement} */ (document.getElementById('sign-out-everywhere')).addEventListener('click', () => signOut({ everywhere: true }));
  loadTrash().catch(() => {});
});
DeviceStore.open().then((store) => store?.prune(KEEP_COPIES_MS)).catch(() => {});
load().catch(() => {
  /** @type {HTMLElement} */ (document.getElementById('empty')).textContent = 'The documents could not be listed (are you offline?).';
  /** @type {HTMLElement} */ (document.getElementById('empty')).hidden = false;
});
