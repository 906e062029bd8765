// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyToSpans, coveredLength, spanRanges, authorsOf } from '../js/authorship.js';
import { TextOperation } from '../js/text-operation.js';
import { createRandom } from './random.js';

const ann = { authorId: 'ann', authorName: 'Ann', guest: false, at: 't1' };
const bob = { authorId: 'bob', authorName: 'Bob', guest: true, at: 't2' };

test('an insert inside a span splits it; neighbouring runs of one author stay joined', () => {
  let spans = applyToSpans([], TextOperation.fromJSON(['hello']), ann);
  spans = applyToSpans(spans, TextOperation.fromJSON([2, 'XY', 3]), bob);
  assert.deepEqual(spans.map((s) => [s.authorName, s.length]), [['Ann', 2], ['Bob', 2], ['Ann', 3]]);
  spans = applyToSpans(spans, TextOperation.fromJSON([2, -2, 3]), bob);
  assert.deepEqual(spans.map((s) => [s.authorName, s.length]), [['Ann', 5]]);
  assert.deepEqual(spanRanges(spans).map((r) => [r.from, r.to]), [[0, 5]]);
});

test('an op for another length is refused', () => {
  assert.throws(() => applyToSpans([{ ...ann, length: 3 }], TextOperation.fromJSON([4]), bob), /applyToSpans: the op applies to 4 code units, the spans cover 3/);
});

test('under random ops every character keeps the author of the op that inserted it', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const random = createRandom(seed);
    /** @type {string[]} the author of each character */
    let owners = [];
    let spans = /** @type {import('../js/authorship.js').AuthorSpan[]} */ ([]);
    for (let step = 0; step < 40; step++) {
      const who = (random.next(1000) / 1000) < 0.5 ? ann : bob;
      const builder = TextOperation.builder();
      const next = [];
      let pos = 0;
      while (pos < owners.length) {
        const n = 1 + Math.floor((random.next(1000) / 1000) * 4);
        const take = Math.min(n, owners.length - pos);
        const kind = (random.next(1000) / 1000);
        if (kind < 0.2) builder.delete(take);
        else { builder.retain(take); next.push(...owners.slice(pos, pos + take)); }
        if (kind > 0.8) { builder.insert('ab'); next.push(who.authorId, who.authorId); }
        pos += take;
      }
      if ((random.next(1000) / 1000) < 0.5) { builder.insert('z'); next.push(who.authorId); }
      spans = applyToSpans(spans, builder.build(), who);
      owners = next;
      assert.equal(coveredLength(spans), owners.length, `seed ${seed}`);
      assert.deepEqual(spans.flatMap((s) => Array(s.length).fill(s.authorId)), owners, `seed ${seed}`);
    }
  }
  assert.deepEqual(authorsOf([{ ...bob, length: 1 }, { ...ann, length: 1 }, { ...bob, length: 2 }]).map((a) => a.authorName), ['Bob', 'Ann']);
});
