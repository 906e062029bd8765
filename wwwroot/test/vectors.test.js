// @ts-check
/**
 * The JavaScript engine passes every case of tests/vectors/ot.json, the file the C# engine
 * generates and checks (tests/CollabEdit.Ot.Tests/VectorTests.cs); each case is checked here
 * exactly as it is there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidTextOperationError, TextOperation, parseOperation } from '../js/text-operation.js';

const file = new URL('../../tests/vectors/ot.json', import.meta.url);

/** @type {Array<Record<string, any>>} */
const cases = JSON.parse(readFileSync(file, 'utf8')).cases;

/** @param {unknown} wire */
const op = (wire) => TextOperation.fromJSON(wire);

/**
 * Equality by components, with a readable diff on failure.
 * @param {TextOperation} actual
 * @param {TextOperation} expected
 */
function assertOp(actual, expected) {
  assert.deepEqual(actual.toJSON(), expected.toJSON());
  assert.ok(actual.equals(expected), `${actual} should equal ${expected}`);
}

/** @type {Record<string, (c: Record<string, any>) => void>} */
const checks = {
  apply: (c) => {
    assert.equal(op(c.op).apply(c.text), c.expected);
  },
  'apply-invalid': (c) => {
    assert.throws(() => op(c.op).apply(c.text), InvalidTextOperationError);
  },
  compose: (c) => {
    assertOp(TextOperation.compose(op(c.a), op(c.b)), op(c.expected));
  },
  transform: (c) => {
    const [aPrime, bPrime] = TextOperation.transform(op(c.a), op(c.b));
    assertOp(aPrime, op(c.aPrime));
    assertOp(bPrime, op(c.bPrime));
    assert.equal(aPrime.apply(op(c.b).apply(c.text)), c.expected);
  },
  invert: (c) => {
    assertOp(op(c.op).invert(c.text), op(c.expected));
  },
  'transform-index': (c) => {
    assert.equal(op(c.op).transformIndex(c.index, c.ownEdit), c.expected);
  },
  'parse-invalid': (c) => {
    assert.throws(() => parseOperation(c.json), InvalidTextOperationError);
  },
  canonical: (c) => {
    const parsed = parseOperation(c.json);
    assertOp(parsed, op(c.expected));
    assert.equal(JSON.stringify(parsed), JSON.stringify(c.expected));
  },
};

describe('shared vectors (tests/vectors/ot.json)', () => {
  it('has enough cases of every kind', () => {
    assert.ok(cases.length >= 200, `only ${cases.length} cases`);
    for (const kind of Object.keys(checks)) {
      assert.ok(cases.some((c) => c.kind === kind), `no ${kind} case`);
    }

    for (const c of cases) {
      assert.ok(c.kind in checks, `unknown kind ${c.kind} in case "${c.name}"`);
    }
  });

  for (const kind of Object.keys(checks)) {
    describe(kind, () => {
      for (const c of cases.filter((x) => x.kind === kind)) {
        it(c.name, () => checks[kind](c));
      }
    });
  }
});
