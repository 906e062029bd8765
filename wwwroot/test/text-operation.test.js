// @ts-check
/**
 * TextOperation by example: the classic traps of OT, the builder's canonical form, and invalid
 * input with the messages it gets. Mirrors tests/CollabEdit.Ot.Tests/TextOperationTests.cs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidTextOperationError, TextOperation, parseOperation } from '../js/text-operation.js';
import { ops } from './generators.js';

/**
 * Asserts `fn` throws InvalidTextOperationError whose message contains every one of `parts`.
 * @param {() => unknown} fn
 * @param {...string} parts
 */
function assertInvalid(fn, ...parts) {
  assert.throws(fn, (/** @type {unknown} */ e) => {
    assert.ok(e instanceof InvalidTextOperationError, `expected InvalidTextOperationError, got ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'InvalidTextOperationError');
    for (const part of parts) {
      assert.ok(e.message.includes(part), `"${e.message}" should contain "${part}"`);
    }

    return true;
  });
}

/**
 * @param {TextOperation} actual
 * @param {TextOperation} expected
 */
function assertOp(actual, expected) {
  assert.deepEqual(actual.toJSON(), expected.toJSON());
  assert.ok(actual.equals(expected));
}

describe('builder', () => {
  it('merges neighbours and drops empties', () => {
    const op = TextOperation.builder().retain(2).retain(0).retain(3).insert('a').insert('').insert('b')
      .delete(1).delete(2).build();

    assert.deepEqual(op.toJSON(), [5, 'ab', -3]);
  });

  it('puts an insert before an adjacent delete', () => {
    assert.deepEqual(TextOperation.builder().retain(1).delete(2).insert('x').build().toJSON(), [1, 'x', -2]);
  });

  it('merges an insert into the one before a delete', () => {
    assert.deepEqual(TextOperation.builder().insert('a').delete(2).insert('b').build().toJSON(), ['ab', -2]);
  });

  it('rejects negative and non-integer counts, naming the function', () => {
    assertInvalid(() => TextOperation.builder().retain(-2), 'retain', '-2');
    assertInvalid(() => TextOperation.builder().delete(-2), 'delete', '-2');
    assertInvalid(() => TextOperation.builder().retain(1.5), 'retain', '1.5');
    assertInvalid(() => TextOperation.builder().delete(NaN), 'delete', 'NaN');
    assertInvalid(() => TextOperation.builder().retain(/** @type {any} */ ('3')), 'retain', '"3"');
    assertInvalid(() => TextOperation.builder().insert(/** @type {any} */ (3)), 'insert', '3');
  });

  it('rejects lone surrogates in inserts', () => {
    for (const text of ['\ud83d', '\ude00', 'a\ude00\ud83d', '\ud83da']) {
      assertInvalid(() => TextOperation.builder().insert(text), 'insert', 'lone surrogate', `(length ${text.length})`);
    }
  });

  it('rejects lengths past Int32', () => {
    assertInvalid(() => TextOperation.builder().retain(2147483647).retain(1), 'retain', '2147483647');
    assertInvalid(() => TextOperation.builder().retain(2147483648), 'retain', '2147483648');
    assertInvalid(() => TextOperation.builder().delete(2147483647).retain(1), 'retain', 'base length');
    assertInvalid(() => TextOperation.builder().retain(2147483647).delete(1), 'delete', 'base length');
    assert.equal(TextOperation.builder().retain(2147483647).build().baseLength, 2147483647);
  });

  it('is not changed by building', () => {
    const builder = TextOperation.builder().retain(1);
    const first = builder.build();
    builder.insert('x');

    assert.deepEqual(first.toJSON(), [1]);
    assert.deepEqual(builder.build().toJSON(), [1, 'x']);
  });
});

describe('operation', () => {
  it('counts retains and deletes in the base length, retains and inserts in the target length', () => {
    const op = ops(5, 'hello', -3, 2);

    assert.equal(op.baseLength, 10);
    assert.equal(op.targetLength, 12);
  });

  it('is immutable', () => {
    const op = ops(5, 'hello', -3, 2);

    assert.ok(Object.isFrozen(op));
    assert.ok(Object.isFrozen(op.components));
    assert.throws(() => { /** @type {any} */ (op).baseLength = 3; }, TypeError);
    const wire = op.toJSON();
    wire.push(1);
    assert.deepEqual(op.toJSON(), [5, 'hello', -3, 2]);
  });

  it('is made only through the builder', () => {
    assert.throws(() => new TextOperation(Symbol('x'), [1], 1, 1), TypeError);
  });

  it('compares by components', () => {
    assert.ok(ops(1, 'a').equals(TextOperation.builder().retain(1).insert('a').build()));
    assert.ok(!ops(1, 'a').equals(ops('a', 1)));
    assert.ok(!ops(1).equals(null));
    assert.ok(!ops(1).equals([1]));
  });

  it('prints as the wire form', () => {
    assert.equal(String(ops(5, 'hello', -3, 2)), '[5,"hello",-3,2]');
    assert.equal(JSON.stringify({ op: ops(5, 'hello', -3, 2) }), '{"op":[5,"hello",-3,2]}');
  });

  it('is a noop when it only retains', () => {
    assert.ok(TextOperation.identity(0).isNoop);
    assert.ok(TextOperation.identity(7).isNoop);
    assert.ok(!ops('a').isNoop);
    assert.ok(!ops(-1).isNoop);
  });

  it('splices into a canonical op', () => {
    assert.deepEqual(TextOperation.splice(6, 2, 1, 'xy').toJSON(), [2, 'xy', -1, 3]);
    assert.deepEqual(TextOperation.splice(0, 0, 0, '').toJSON(), []);
    assertInvalid(() => TextOperation.splice(3, 2, 2, ''), 'splice', 'position 2', 'delete count 2', 'length 3');
    assertInvalid(() => TextOperation.splice(3, -1, 0, ''), 'splice');
    assertInvalid(() => TextOperation.splice(3, 0.5, 0, ''), 'splice', '0.5');
    assertInvalid(() => TextOperation.splice(2, 1, 0, '\ud83d'), 'insert', 'lone surrogate');
  });
});

describe('apply', () => {
  it('does the design example', () => {
    assert.equal(ops(5, 'hello', -3, 2).apply('0123456789'), '01234hello89');
  });

  it('works on the empty document', () => {
    assert.equal(ops('hi').apply(''), 'hi');
    assert.equal(TextOperation.identity(0).apply(''), '');
    assert.equal(ops().apply(''), '');
  });

  it('edits at the very end', () => {
    assert.equal(ops(3, '!').apply('abc'), 'abc!');
    assert.equal(ops(2, -1).apply('abc'), 'ab');
  });

  it('rejects a wrong base length, naming the function and both lengths', () => {
    assertInvalid(() => ops(5, 'x').apply('abc'), 'apply', 'base length is 5', "text's length is 3");
  });

  it('rejects a boundary inside a surrogate pair', () => {
    // "a😀b": the emoji occupies units 1 and 2; position 2 is between its halves.
    assertInvalid(() => ops(2, 'x', 2).apply('a😀b'), 'apply', 'surrogate pair', 'position 2', 'length 4');
    assertInvalid(() => ops(1, -1, 2).apply('a😀b'), 'apply', 'surrogate pair', 'position 2');
    assertInvalid(() => ops(2, -2).apply('a😀b'), 'apply', 'surrogate pair', 'position 2');
    assertInvalid(() => ops(1, 'x', 1).apply('😀'), 'apply', 'surrogate pair', 'position 1');
  });

  it('allows edits of whole emoji', () => {
    assert.equal(ops(1, -2, 1).apply('a😀b'), 'ab');
    assert.equal(ops(1, '👍🏽', 3).apply('a😀b'), 'a👍🏽😀b');
    assert.equal(ops(1, -4).apply('a👍🏽'), 'a'); // both pairs of the skin-tone emoji
    assert.equal(ops(3, -2).apply('a👍🏽'), 'a👍'); // only the modifier: a pair of its own
  });

  it('rejects a text that is not a string', () => {
    assert.throws(() => ops(1).apply(/** @type {any} */ (1)), TypeError);
  });
});

describe('compose', () => {
  it('merges typing two characters', () => {
    assertOp(TextOperation.compose(ops(3, 'x'), ops(4, 'y')), ops(3, 'xy'));
  });

  it('cancels a delete of inserted text', () => {
    assert.ok(TextOperation.compose(ops(1, 'hello', 2), ops(1, -5, 2)).isNoop);
  });

  it('keeps deletes of both', () => {
    assertOp(TextOperation.compose(ops(-1, 2), ops(-1, 1)), ops(-2, 1));
  });

  it('rejects a length mismatch, naming both lengths', () => {
    assertInvalid(() => TextOperation.compose(ops(3, 'x'), ops(3)), 'compose', 'target length is 4', 'base length is 3');
  });
});

describe('transform', () => {
  it('puts the first committed insert left when both insert at one position', () => {
    const first = ops(1, 'A', 1);
    const second = ops(1, 'B', 1);

    const [firstPrime, secondPrime] = TextOperation.transform(first, second);

    assert.equal(secondPrime.apply(first.apply('xy')), 'xABy');
    assert.equal(firstPrime.apply(second.apply('xy')), 'xABy');
  });

  it('deletes the union of overlapping deletes once', () => {
    const a = ops(1, -3, 2); // deletes "bcd" of "abcdef"
    const b = ops(2, -3, 1); // deletes "cde"

    const [aPrime, bPrime] = TextOperation.transform(a, b);

    assert.equal(bPrime.apply(a.apply('abcdef')), 'af');
    assertOp(aPrime, ops(1, -1, 1));
    assertOp(bPrime, ops(1, -1, 1));
  });

  it('keeps an insert made inside a concurrently deleted range', () => {
    const del = ops(1, -4, 1); // "abcdef" → "af"
    const insert = ops(3, 'XY', 3); // "abcXYdef"

    const [delPrime, insertPrime] = TextOperation.transform(del, insert);

    assert.equal(insertPrime.apply(del.apply('abcdef')), 'aXYf');
    assert.equal(delPrime.apply(insert.apply('abcdef')), 'aXYf');
  });

  it('works on the empty document', () => {
    const [aPrime, bPrime] = TextOperation.transform(ops('a'), ops('b'));

    assert.equal(bPrime.apply('a'), 'ab');
    assert.equal(aPrime.apply('b'), 'ab');
  });

  it('edits at the very end', () => {
    const a = ops(3, '!');
    const b = ops(2, -1);

    const [aPrime, bPrime] = TextOperation.transform(a, b);

    assert.equal(bPrime.apply(a.apply('abc')), 'ab!');
    assert.equal(aPrime.apply(b.apply('abc')), 'ab!');
  });

  it('works around emoji', () => {
    const a = ops(1, -2, 1); // delete the emoji of "a😀b"
    const b = ops(3, '👍🏽', 1); // insert after it

    const [aPrime, bPrime] = TextOperation.transform(a, b);

    assert.equal(bPrime.apply(a.apply('a😀b')), 'a👍🏽b');
    assert.equal(aPrime.apply(b.apply('a😀b')), 'a👍🏽b');
  });

  it('rejects a length mismatch, naming both lengths', () => {
    assertInvalid(() => TextOperation.transform(ops(3), ops(4)), 'transform', '3', '4');
  });

  it('rejects what is not an operation', () => {
    assert.throws(() => TextOperation.transform(ops(3), /** @type {any} */ ([3])), TypeError);
  });
});

describe('invert', () => {
  it('restores deleted text', () => {
    const op = ops(1, 'XY', -2, 1);

    const inverse = op.invert('abcd');

    assertOp(inverse, ops(1, 'bc', -2, 1));
    assert.equal(inverse.apply(op.apply('abcd')), 'abcd');
  });

  it('rejects a text the op does not fit', () => {
    assertInvalid(() => ops(1, -1, 2).invert('a😀b'), 'invert', 'surrogate pair');
    assertInvalid(() => ops(2).invert('abc'), 'invert', '2', '3');
  });
});

describe('transformIndex', () => {
  const op = ops(1, 'XY', 2, -2, 1); // "abcdef" → "aXYbcf"
  for (const [index, ownEdit, expected, why] of /** @type {const} */ ([
    [0, false, 0, ''],
    [1, false, 1, 'a remote insert at the caret leaves it before the insert'],
    [1, true, 3, 'an own insert at the caret moves it after'],
    [2, false, 4, ''],
    [4, false, 5, 'inside the deleted range "de": moves to its start'],
    [5, false, 5, ''],
    [6, false, 6, ''],
  ])) {
    it(`moves ${index}${ownEdit ? ' (own edit)' : ''} to ${expected}${why ? `: ${why}` : ''}`, () => {
      assert.equal(op.transformIndex(index, ownEdit), expected);
    });
  }

  it('rejects an index outside the text', () => {
    assertInvalid(() => ops(3).transformIndex(4, false), 'transformIndex', '4', 'length 3');
    assertInvalid(() => ops(3).transformIndex(-1, false), 'transformIndex', '-1');
    assertInvalid(() => ops(3).transformIndex(1.5, false), 'transformIndex', '1.5');
  });

  it('moves both ends of a selection', () => {
    const insert = ops('12', 6);

    assert.deepEqual(insert.transformSelection({ anchor: 1, head: 4 }, false), { anchor: 3, head: 6 });
    assert.deepEqual(insert.transformSelection({ anchor: 0, head: 0 }, true), { anchor: 2, head: 2 });
    assert.deepEqual(insert.transformSelection({ anchor: 0, head: 0 }, false), { anchor: 0, head: 0 });
  });
});

describe('fromJSON and parseOperation', () => {
  it('read the wire form into canonical form', () => {
    assert.deepEqual(TextOperation.fromJSON([1, 2, 'a', 'b', -1, -2]).toJSON(), [3, 'ab', -3]);
    assert.deepEqual(parseOperation('[1,-2,"x",1]').toJSON(), [1, 'x', -2, 1]);
    assert.deepEqual(parseOperation(' [ ] ').toJSON(), []);
    assert.deepEqual(parseOperation('["a\\"1.5, 1e3 [", 7]').toJSON(), ['a"1.5, 1e3 [', 7]);
    assert.deepEqual(parseOperation('[2147483647]').toJSON(), [2147483647]);
    assert.deepEqual(parseOperation('[-2147483647]').toJSON(), [-2147483647]);
  });

  it('reject what the C# converter rejects, naming the element', () => {
    assertInvalid(() => TextOperation.fromJSON([1, 0]), 'fromJSON', 'element 1', 'non-zero 32-bit integer');
    assertInvalid(() => TextOperation.fromJSON([1.5]), 'fromJSON', 'element 0', '1.5');
    assertInvalid(() => TextOperation.fromJSON([Infinity]), 'element 0');
    assertInvalid(() => TextOperation.fromJSON([NaN]), 'element 0');
    assertInvalid(() => TextOperation.fromJSON([-2147483648]), 'element 0');
    assertInvalid(() => TextOperation.fromJSON([2, '']), 'element 1', 'empty insert');
    assertInvalid(() => TextOperation.fromJSON([2, undefined]), 'element 1', 'undefined');
    assertInvalid(() => TextOperation.fromJSON([true]), 'element 0', 'true');
    assertInvalid(() => TextOperation.fromJSON(['a', '\ud83d']), 'element 1', 'lone surrogate');
    assertInvalid(() => TextOperation.fromJSON([1, 2147483647]), 'element 1', '32-bit');
    assertInvalid(() => TextOperation.fromJSON({ length: 0 }), 'fromJSON', 'expected an array');
    assertInvalid(() => TextOperation.fromJSON(null), 'fromJSON', 'expected an array', 'null');
  });

  it('parseOperation rejects float and exponent literals that JSON.parse would turn into integers', () => {
    // Why parseOperation exists: after JSON.parse, [1.0] and [1e3] are [1] and [1000].
    assert.deepEqual(TextOperation.fromJSON(JSON.parse('[1.0]')).toJSON(), [1]);
    assertInvalid(() => parseOperation('[1.0]'), 'parseOperation', 'element 0', '1.0');
    assertInvalid(() => parseOperation('[2, "x", 1e3]'), 'element 2', '1e3');
    assertInvalid(() => parseOperation('[2, -1E+0]'), 'element 1', '-1E+0');
    assertInvalid(() => parseOperation('[1,'), 'parseOperation', 'not valid JSON');
    assertInvalid(() => parseOperation('[1] x'), 'parseOperation', 'not valid JSON');
    assertInvalid(() => parseOperation('[01]'), 'parseOperation');
    assertInvalid(() => parseOperation('[-0]'), 'element 0');
    assertInvalid(() => parseOperation('[[1.0]]'), 'element 0', 'an array');
  });
});
