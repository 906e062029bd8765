// @ts-check
// Who wrote what: the text as runs of characters, each with the author of the op that inserted it
// (`spans`, the shape GET /api/documents/{id}/authorship answers). The page keeps them up to date
// by applying every op, local or remote, with its author. Pure: no DOM.

/** @typedef {{ length: number, authorId: string | null, authorName: string, guest: boolean, at: string | number }} AuthorSpan `at`: when (ISO text, or Unix ms as the server sends it) */

/** @param {AuthorSpan} a @param {AuthorSpan} b */
function sameAuthor(a, b) {
  return a.authorId === b.authorId && a.authorName === b.authorName && a.guest === b.guest;
}

/** Appends `span` to `out`, joined with the last one when they are the same author (the run keeps the earlier time). @param {AuthorSpan[]} out @param {AuthorSpan} span */
function push(out, span) {
  if (span.length <= 0) return;
  const last = out[out.length - 1];
  if (last && sameAuthor(last, span)) out[out.length - 1] = { ...last, length: last.length + span.length };
  else out.push(span);
}

/** The total length the spans cover. @param {readonly AuthorSpan[]} spans */
export function coveredLength(spans) {
  let total = 0;
  for (const s of spans) total += s.length;
  return total;
}

/**
 * The spans after `op` (a TextOperation over the text the spans cover): retained characters keep
 * their author, deleted ones go, inserted ones are `author`'s.
 * @param {readonly AuthorSpan[]} spans
 * @param {{ components: readonly (number | string)[], baseLength: number }} op
 * @param {{ authorId: string | null, authorName: string, guest: boolean, at: string | number }} author
 * @returns {AuthorSpan[]}
 */
export function applyToSpans(spans, op, author) {
  const length = coveredLength(spans);
  if (op.baseLength !== length) {
    throw new RangeError(`applyToSpans: the op applies to ${op.baseLength} code units, the spans cover ${length}.`);
  }
  /** @type {AuthorSpan[]} */
  const out = [];
  let index = 0;
  let offset = 0; // into spans[index]
  /** Moves `count` units forward, copying them to out when `keep`. @param {number} count @param {boolean} keep */
  const advance = (count, keep) => {
    while (count > 0) {
      const span = spans[index];
      const take = Math.min(count, span.length - offset);
      if (keep) push(out, { ...span, length: take });
      count -= take;
      offset += take;
      if (offset === span.length) { index++; offset = 0; }
    }
  };
  for (const c of op.components) {
    if (typeof c === 'string') push(out, { ...author, length: c.length });
    else if (c > 0) advance(c, true);
    else advance(-c, false);
  }
  return out;
}

/**
 * The spans as ranges of the text, `[from, to)`, for decorating it.
 * @param {readonly AuthorSpan[]} spans
 * @returns {{ from: number, to: number, span: AuthorSpan }[]}
 */
export function spanRanges(spans) {
  const ranges = [];
  let pos = 0;
  for (const span of spans) {
    ranges.push({ from: pos, to: pos + span.length, span });
    pos += span.length;
  }
  return ranges;
}

/**
 * The authors in the spans, in order of their first character, for a legend.
 * @param {readonly AuthorSpan[]} spans
 * @returns {{ authorId: string | null, authorName: string, guest: boolean }[]}
 */
export function authorsOf(spans) {
  const seen = new Map();
  for (const s of spans) if (!seen.has(authorKey(s))) seen.set(authorKey(s), { authorId: s.authorId, authorName: s.authorName, guest: s.guest });
  return [...seen.values()];
}

/** What tells authors apart: the account id, or a guest's name (guests have no id). @param {{ authorId: string | null, authorName: string }} author */
export function authorKey(author) {
  return author.authorId ?? `guest:${author.authorName}`;
}

/** A light background colour for an author (see authorKey), the same on every page. @param {string} key */
export function authorColour(key) {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  const hue = ((hash % 360) + 360) % 360;
  return `hsl(${hue} 70% 85%)`;
}
