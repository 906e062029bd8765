// @ts-check
/**
 * The OT laws as seeded property tests, mirroring TextOperationPropertyTests.cs. Each case draws
 * a text first, then ops valid for it (emoji and the empty text included). A failure prints the
 * seed, the case and the command that replays it alone.
 *
 * COLLABEDIT_SEED: the run's seed (default below). COLLABEDIT_PROPERTY_ITERATIONS: cases per
 * property (default 2000). COLLABEDIT_CASE: run only that case index (to replay a failure).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextOperation, parseOperation } from '../js/text-operation.js';
import { opFor, randomChoices, randomText } from './generators.js';
import { caseSeed, createRandom, envInt } from './random.js';

const SEED = envInt('COLLABEDIT_SEED', 20261123);
const ITERATIONS = envInt('COLLABEDIT_PROPERTY_ITERATIONS', 2000);
const ONLY_CASE = envInt('COLLABEDIT_CASE', -1);

/**
 * Runs `check` on `ITERATIONS` cases drawn by `generate`, each from its own seed.
 * @template T
 * @param {string} name
 * @param {(random: import('./random.js').Random) => T} generate
 * @param {(value: T) => void} check
 */
function property(name, generate, check) {
  it(name, (t) => {
    t.diagnostic(`seed ${SEED}, ${ITERATIONS} cases`);
    const propertySeed = (SEED ^ hash(name)) >>> 0;
    const first = ONLY_CASE >= 0 ? ONLY_CASE : 0;
    const end = ONLY_CASE >= 0 ? ONLY_CASE + 1 : ITERATIONS;
    for (let i = first; i < end; i++) {
      const value = generate(createRandom(caseSeed(propertySeed, i)));
      try {
        check(value);
      } catch (e) {
        const error = new assert.AssertionError({
          message: `property "${name}" failed at case ${i} with seed ${SEED}\n`
            + `  case: ${show(value)}\n`
            + `  replay: COLLABEDIT_SEED=${SEED} COLLABEDIT_CASE=${i} node --test test/properties.test.js\n`
            + `  ${/** @type {Error} */ (e).message}`,
        });
        error.cause = e;
        throw error;
      }
    }
  });
}

/** @param {string} text */
function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  }

  return h >>> 0;
}

/** @param {unknown} value */
function show(value) {
  return JSON.stringify(value, (_, v) => (v instanceof TextOperation ? String(v) : v));
}

/** A text and an op for it. @param {import('./random.js').Random} random */
function textAndOp(random) {
  const text = randomText(random);
  return { text, op: opFor(text, randomChoices(random)) };
}

/** Two ops on the same text: concurrent edits. @param {import('./random.js').Random} random */
function concurrent(random) {
  const text = randomText(random);
  return { text, a: opFor(text, randomChoices(random)), b: opFor(text, randomChoices(random)) };
}

/** An op and a second op on the text after it: consecutive edits. @param {import('./random.js').Random} random */
function consecutive(random) {
  const text = randomText(random);
  const a = opFor(text, randomChoices(random));
  return { text, a, b: opFor(a.apply(text), randomChoices(random)) };
}

/**
 * @param {TextOperation} actual
 * @param {TextOperation} expected
 */
function assertOp(actual, expected) {
  assert.ok(actual.equals(expected), `${actual} should equal ${expected}`);
}

/**
 * No empty component, no two neighbours of one kind, no delete right before an insert, and
 * lengths that add up.
 * @param {TextOperation} op
 */
function assertCanonical(op) {
  /** @param {number | string} c */
  const kind = (c) => (typeof c === 'string' ? 'insert' : c > 0 ? 'retain' : 'delete');
  const c = op.components;
  let base = 0;
  let target = 0;
  for (let i = 0; i < c.length; i++) {
    const component = c[i];
    assert.ok(component !== 0 && component !== '', `empty component in ${op}`);
    if (i > 0) {
      assert.notEqual(kind(c[i - 1]), kind(component), `neighbours of one kind in ${op}`);
      assert.ok(!(kind(c[i - 1]) === 'delete' && kind(component) === 'insert'), `delete before insert in ${op}`);
    }

    base += typeof component === 'string' ? 0 : Math.abs(component);
    target += typeof component === 'string' ? component.length : Math.max(0, component);
  }

  assert.equal(op.baseLength, base);
  assert.equal(op.targetLength, target);
}

/**
 * True when base index `index` falls in a range that `op` deletes.
 * @param {TextOperation} op
 * @param {number} index
 */
function isDeleted(op, index) {
  let pos = 0;
  for (const c of op.components) {
    if (typeof c === 'number' && c < 0 && index >= pos && index < pos - c) {
      return true;
    }

    pos += typeof c === 'string' ? 0 : Math.abs(c);
  }

  return false;
}

describe(`properties (seed ${SEED}, ${ITERATIONS} cases each)`, () => {
  property('compose applies like both in turn', consecutive, ({ text, a, b }) => {
    const composed = TextOperation.compose(a, b);
    assert.equal(composed.apply(text), b.apply(a.apply(text)));
    assert.equal(composed.baseLength, a.baseLength);
    assert.equal(composed.targetLength, b.targetLength);
  });

  property('transform converges (TP1)', concurrent, ({ text, a, b }) => {
    const [aPrime, bPrime] = TextOperation.transform(a, b);
    assert.equal(aPrime.apply(b.apply(text)), bPrime.apply(a.apply(text)));
  });

  property('transform gives equal composed paths', concurrent, ({ a, b }) => {
    const [aPrime, bPrime] = TextOperation.transform(a, b);
    assertOp(TextOperation.compose(a, bPrime), TextOperation.compose(b, aPrime));
  });

  property('transform against a noop changes nothing', textAndOp, ({ text, op }) => {
    const [opPrime, noopPrime] = TextOperation.transform(op, TextOperation.identity(text.length));
    assertOp(opPrime, op);
    assert.ok(noopPrime.isNoop);
    const [noopPrime2, opPrime2] = TextOperation.transform(TextOperation.identity(text.length), op);
    assertOp(opPrime2, op);
    assert.ok(noopPrime2.isNoop);
  });

  property('invert undoes apply', textAndOp, ({ text, op }) => {
    const inverse = op.invert(text);
    assert.equal(inverse.apply(op.apply(text)), text);
    assert.equal(inverse.baseLength, op.targetLength);
    assert.equal(inverse.targetLength, op.baseLength);
  });

  property(
    'transformIndex stays in range and follows the character',
    (random) => ({ ...textAndOp(random), pick: random.next(1001), ownEdit: random.bool() }),
    ({ text, op, pick, ownEdit }) => {
      const index = pick % (text.length + 1);
      const after = op.apply(text);
      const moved = op.transformIndex(index, ownEdit);
      assert.ok(moved >= 0 && moved <= after.length, `${moved} outside 0…${after.length}`);

      // A character that survives the op is found at the own-edit position of its index.
      const own = op.transformIndex(index, true);
      if (index < text.length && !isDeleted(op, index)) {
        assert.equal(after[own], text[index]);
      }

      // A remote insert at the index stays after the caret: only inserted text lies between.
      assert.ok(moved <= own);
    },
  );

  property('canonical form is idempotent and kept by compose and transform', consecutive, ({ a, b }) => {
    assertCanonical(a);
    const rebuilt = TextOperation.builder();
    for (const c of a.components) {
      if (typeof c === 'string') {
        rebuilt.insert(c);
      } else if (c > 0) {
        rebuilt.retain(c);
      } else {
        rebuilt.delete(-c);
      }
    }

    assertOp(rebuilt.build(), a);
    assertCanonical(TextOperation.compose(a, b));
    const [x, y] = TextOperation.transform(a, TextOperation.identity(a.baseLength));
    assertCanonical(x);
    assertCanonical(y);
  });

  property('JSON round trips', textAndOp, ({ op }) => {
    const json = JSON.stringify(op);
    assertOp(parseOperation(json), op);
    assertOp(TextOperation.fromJSON(JSON.parse(json)), op);
    assertOp(TextOperation.fromJSON(op.toJSON()), op);
  });
});
