// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupEntries, appendOlder, refreshNewest, summarize, SESSION_PAUSE_MS } from '../js/sessions.js';
import { TextOperation } from '../js/text-operation.js';

const at = (/** @type {number} */ minutes) => new Date(Date.UTC(2026, 0, 1, 9, 0) + minutes * 60_000).toISOString();
const entry = (/** @type {number} */ revision, /** @type {string} */ author, /** @type {number} */ minutes, /** @type {unknown} */ op) =>
  ({ revision, op, author, authorId: author.toLowerCase(), guest: false, timestamp: at(minutes) });

test('summarize counts inserted and deleted code units and previews the inserted text on one line', () => {
  assert.deepEqual(summarize(TextOperation.fromJSON([2, 'ab\ncd', -3, 1])), { added: 5, removed: 3, preview: 'ab cd' });
});

test('groupEntries: one author typing without a pause is one session, newest first', () => {
  const groups = groupEntries([entry(1, 'Ann', 0, ['a']), entry(2, 'Ann', 1, [1, 'b']), entry(3, 'Ann', 2, [2, 'c'])]);
  assert.equal(groups.length, 1);
  assert.deepEqual([groups[0].fromRevision, groups[0].toRevision, groups[0].added, groups[0].preview], [1, 3, 3, 'abc']);
  assert.equal(groups[0].startedAt, at(0));
  assert.equal(groups[0].endedAt, at(2));
});

test('groupEntries: another author or a pause longer than five minutes starts a session', () => {
  const groups = groupEntries([
    entry(1, 'Ann', 0, ['a']), entry(2, 'Bob', 1, [1, 'b']), entry(3, 'Bob', 2, [2, 'c']),
    entry(4, 'Bob', 2 + SESSION_PAUSE_MS / 60_000 + 1, [-1, 2]),
  ]);
  assert.deepEqual(groups.map((g) => [g.authors[0].name, g.fromRevision, g.toRevision]), [['Bob', 4, 4], ['Bob', 2, 3], ['Ann', 1, 1]]);
  assert.equal(groups[0].removed, 1);
});

test('appendOlder joins a session cut by the page boundary, and only then', () => {
  const newer = groupEntries([entry(5, 'Ann', 10, ['x']), entry(6, 'Ann', 11, [1, 'y'])]);
  const older = groupEntries([entry(3, 'Bob', 0, ['a']), entry(4, 'Ann', 9, [1, 'w'])]);
  const joined = appendOlder(newer, older);
  assert.deepEqual(joined.map((g) => [g.authors[0].name, g.fromRevision, g.toRevision]), [['Ann', 4, 6], ['Bob', 3, 3]]);
  assert.equal(joined[0].preview, 'wxy');
  const apart = appendOlder(newer, groupEntries([entry(4, 'Bob', 9, ['a'])]));
  assert.equal(apart.length, 2);
});

test('refreshNewest replaces the groups the fresh page covers and keeps the older ones', () => {
  const loaded = groupEntries([entry(1, 'Ann', 0, ['a']), entry(2, 'Bob', 1, [1, 'b'])]);
  const fresh = groupEntries([entry(2, 'Bob', 1, [1, 'b']), entry(3, 'Bob', 2, [2, 'c'])]);
  assert.deepEqual(refreshNewest(loaded, fresh).map((g) => [g.fromRevision, g.toRevision]), [[2, 3], [1, 1]]);
});

test('a link to a revision is #r=N, beside a share link token or alone', async () => {
  const { linkedRevision } = await import('../js/timeslider.js');
  assert.equal(linkedRevision('#r=123'), 123);
  assert.equal(linkedRevision('#link=abc&r=0'), 0);
  assert.equal(linkedRevision('#link=abc'), null);
  assert.equal(linkedRevision('#r=-1'), null);
  assert.equal(linkedRevision(''), null);
});
