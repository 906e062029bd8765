// @ts-check
// Editing sessions: one author's consecutive revisions with no pause longer than SESSION_PAUSE_MS,
// as the history panel lists them (newest first). The server answers them ready-made
// (GET /api/documents/{id}/sessions); the same shape is built here from history entries when a
// server does not have that route, and pages of either are joined here. Pure: no DOM, no fetch.

import { TextOperation } from './text-operation.js';

/** A pause longer than this starts a new session (Google Docs groups its version history similarly). */
export const SESSION_PAUSE_MS = 5 * 60 * 1000;

/** Characters of inserted text a group's preview keeps. */
const PREVIEW_LENGTH = 80;

/** @typedef {{ id: string, name: string, guest: boolean }} Author */
/**
 * @typedef {{ fromRevision: number, toRevision: number, authors: Author[], startedAt: string, endedAt: string,
 *   added: number, removed: number, firstChangedLine: number | null, preview: string, restoredFrom?: number | null }} SessionGroup
 */
/** @typedef {{ revision: number, op: unknown, author: string, authorId?: string, guest?: boolean, timestamp: string }} HistoryEntry */

/** Code units `op` inserts and deletes, and the start of what it inserts. @param {TextOperation} op */
export function summarize(op) {
  let added = 0;
  let removed = 0;
  let preview = '';
  for (const c of op.components) {
    if (typeof c === 'string') {
      added += c.length;
      if (preview.length < PREVIEW_LENGTH) preview += c;
    } else if (c < 0) {
      removed -= c;
    }
  }
  return { added, removed, preview: clip(preview) };
}

/** `text` on one line, at most PREVIEW_LENGTH characters, never ending inside a surrogate pair. @param {string} text */
function clip(text) {
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= PREVIEW_LENGTH) return flat;
  let end = PREVIEW_LENGTH;
  const code = flat.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${flat.slice(0, end)}…`;
}

/** The author of a history entry. @param {HistoryEntry} entry @returns {Author} */
export function authorOf(entry) {
  return { id: entry.authorId ?? entry.author, name: entry.author, guest: entry.guest ?? false };
}

/**
 * Groups history entries (oldest first, consecutive revisions) into sessions, newest first.
 * @param {readonly HistoryEntry[]} entries
 * @param {number} [pauseMs]
 * @returns {SessionGroup[]}
 */
export function groupEntries(entries, pauseMs = SESSION_PAUSE_MS) {
  /** @type {SessionGroup[]} */
  const groups = [];
  for (const entry of entries) {
    const author = authorOf(entry);
    const { added, removed, preview } = summarize(TextOperation.fromJSON(entry.op));
    const last = groups[groups.length - 1];
    if (last && last.authors[0].id === author.id && Date.parse(entry.timestamp) - Date.parse(last.endedAt) <= pauseMs) {
      last.toRevision = entry.revision;
      last.endedAt = entry.timestamp;
      last.added += added;
      last.removed += removed;
      if (last.preview.length < PREVIEW_LENGTH) last.preview = clip(`${last.preview}${preview}`);
    } else {
      groups.push({
        fromRevision: entry.revision, toRevision: entry.revision, authors: [author],
        startedAt: entry.timestamp, endedAt: entry.timestamp, added, removed, firstChangedLine: null, preview,
      });
    }
  }
  return groups.reverse();
}

/**
 * The groups of `loaded` (newest first) followed by `older` (a page of older groups, newest
 * first). A session cut by the page boundary (the same single author on both sides, within the
 * pause) is joined back into one.
 * @param {readonly SessionGroup[]} loaded
 * @param {readonly SessionGroup[]} older
 * @param {number} [pauseMs]
 * @returns {SessionGroup[]}
 */
export function appendOlder(loaded, older, pauseMs = SESSION_PAUSE_MS) {
  if (loaded.length === 0) return [...older];
  if (older.length === 0) return [...loaded];
  const last = loaded[loaded.length - 1];
  const first = older[0];
  const joins = first.toRevision + 1 === last.fromRevision
    && last.authors.length === 1 && first.authors.length === 1 && last.authors[0].id === first.authors[0].id
    && last.restoredFrom == null && first.restoredFrom == null
    && Date.parse(last.startedAt) - Date.parse(first.endedAt) <= pauseMs;
  if (!joins) return [...loaded, ...older];
  const joined = {
    ...last,
    fromRevision: first.fromRevision,
    startedAt: first.startedAt,
    added: last.added + first.added,
    removed: last.removed + first.removed,
    firstChangedLine: first.firstChangedLine ?? last.firstChangedLine,
    preview: clip(`${first.preview}${last.preview}`),
  };
  return [...loaded.slice(0, -1), joined, ...older.slice(1)];
}

/**
 * The newest page again (`fresh`, fetched after more edits) in front of what was loaded: loaded
 * groups that the fresh page covers, wholly or in part, are replaced by it.
 * @param {readonly SessionGroup[]} loaded
 * @param {readonly SessionGroup[]} fresh
 * @returns {SessionGroup[]}
 */
export function refreshNewest(loaded, fresh) {
  if (fresh.length === 0) return [...loaded];
  const oldest = fresh[fresh.length - 1].fromRevision;
  return [...fresh, ...loaded.filter((g) => g.toRevision < oldest)];
}

/** "Ann, Bob (guest)" @param {readonly Author[]} authors */
export function authorNames(authors) {
  return authors.map((a) => (a.guest ? `${a.name} (guest)` : a.name)).join(', ');
}

/** "+12 −3 characters · line 4" @param {SessionGroup} group */
export function describeChange(group) {
  const parts = [`+${group.added.toLocaleString()} −${group.removed.toLocaleString()} characters`];
  if (group.firstChangedLine != null) parts.push(`from line ${group.firstChangedLine}`);
  return parts.join(' · ');
}

/** "r12–r40" or "r12" @param {SessionGroup} group */
export function revisionRange(group) {
  return group.fromRevision === group.toRevision ? `r${group.toRevision}` : `r${group.fromRevision}–r${group.toRevision}`;
}
