// @ts-check
/**
 * What keeps a browser's edits alive: ops split under the insert limit, a client written to the
 * device and read back, a refused op taken back without losing later edits, and the stream of
 * committed ops that keeps a copy of the server's text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtClient, insertedLength, splitByInserted } from '../js/client.js';
import { TextOperation } from '../js/text-operation.js';
import { opFor, ops, randomChoices, randomText } from './generators.js';
import { caseSeed, createRandom, envInt } from './random.js';

const SEED = envInt('COLLABEDIT_SEED', 20261130);
const ITERATIONS = envInt('COLLABEDIT_PROPERTY_ITERATIONS', 2000);

/** Runs `body` for each case with its own seeded random; a failure names the seed to replay. */
function forAll(/** @type {string} */ name, /** @type {(random: ReturnType<typeof createRandom>) => void} */ body) {
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = caseSeed(SEED, i);
    try {
      body(createRandom(seed));
    } catch (error) {
      throw new Error(`${name}: case ${i} failed (COLLABEDIT_SEED=${SEED}); ${/** @type {Error} */ (error).message}`, { cause: error });
    }
  }
}

describe('splitByInserted', () => {
  it('splits a paste into parts under the limit that together make the paste', () => {
    const op = ops(2, 'abcdefg', -1, 1, 'hij');

    const parts = splitByInserted(op, 4);

    assert.ok(parts.length > 1);
    for (const part of parts) assert.ok(insertedLength(part) <= 4);
    assert.equal(parts.reduce((text, part) => part.apply(text), 'xyzw'), op.apply('xyzw'));
  });

  it('never cuts a surrogate pair in two', () => {
    const parts = splitByInserted(ops('a😀b😀'), 2);

    for (const part of parts) {
      for (const c of part.components) if (typeof c === 'string') assert.doesNotMatch(c, /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    assert.equal(parts.reduce((text, part) => part.apply(text), ''), 'a😀b😀');
  });

  it('is the op itself when it fits', () => {
    const op = ops(1, 'ab', -1);
    assert.deepEqual(splitByInserted(op, 2), [op]);
  });

  it('for any op and limit, the parts apply in order to what the op gives', () => {
    forAll('split', (random) => {
      const text = randomText(random);
      const op = opFor(text, randomChoices(random, 8));
      const limit = 2 + random.next(6);
      const parts = splitByInserted(op, limit);
      for (const part of parts) assert.ok(insertedLength(part) <= limit, `part inserts ${insertedLength(part)} > ${limit}`);
      assert.equal(parts.reduce((t, part) => part.apply(t), text), op.apply(text));
    });
  });
});

describe('OtClient under an insert limit', () => {
  it('sends a paste larger than the limit as several ops, one at a time', () => {
    const client = new OtClient(0, 0, { maxInsert: 3 });

    const first = client.applyLocal(ops('abcdefgh'));

    assert.deepEqual(first?.op.toJSON(), ['abc']);
    assert.deepEqual(client.pendingOps.map((op) => op.toJSON()), [[3, 'def'], [6, 'gh']]);
    const second = client.receiveAck(1, 1).send;
    assert.deepEqual(second && { seq: second.seq, baseRevision: second.baseRevision, op: second.op.toJSON() }, { seq: 2, baseRevision: 1, op: [3, 'def'] });
  });

  it('does not compose buffered edits past the limit', () => {
    const client = new OtClient(0, 0, { maxInsert: 3 });
    client.applyLocal(ops('a'));

    client.applyLocal(ops(1, 'bc'));
    client.applyLocal(ops(3, 'de'));

    assert.deepEqual(client.pendingOps.map((op) => op.toJSON()), [[1, 'bc'], [3, 'de']]);
  });
});

describe('OtClient snapshot and restore', () => {
  it('restores what was in flight unchanged and resends it first', () => {
    const client = new OtClient(4, 7);
    client.applyLocal(ops(2, 'x'));
    client.applyLocal(ops(3, 'y'));

    const restored = OtClient.restore(JSON.parse(JSON.stringify(client.snapshot())));

    assert.equal(restored.revision, 4);
    assert.deepEqual(restored.sent && { ...restored.sent, op: restored.sent.op.toJSON() }, { seq: 8, baseRevision: 4, op: [2, 'x'] });
    assert.deepEqual(restored.buffer?.toJSON(), [3, 'y']);
    assert.ok(restored.awaitingResend);
    // The resent op's ack, then the buffer goes out with the next seq.
    const step = restored.receiveAck(8, 5);
    assert.equal(step.send?.seq, 9);
  });

  it('a restored client whose ack was lost applies nothing until the resend is answered', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));
    const restored = OtClient.restore(client.snapshot());

    // Our op was committed as r1 before the page closed; a peer's r2 follows it.
    assert.deepEqual(restored.receiveOp(1, ops('a')).apply, []);
    assert.deepEqual(restored.receiveOp(2, ops(1, 'b')).apply, []);
    const step = restored.receiveAck(1, 1);

    assert.deepEqual(step.apply.map((op) => op.toJSON()), [[1, 'b']]);
    assert.equal(restored.revision, 2);
  });
});

describe('OtClient.rejectInflight', () => {
  it('takes back exactly the refused op and keeps the edits typed after it', () => {
    // Server text at r0: "hello". In flight: " world" (refused). Then "!" typed at the end.
    const server = 'hello';
    const client = new OtClient(0);
    const refused = ops(5, ' world');
    client.applyLocal(refused);
    client.applyLocal(ops(11, '!'));
    let local = 'hello world!';

    const step = client.rejectInflight(refused.invert(server));
    for (const op of step.apply) local = op.apply(local);

    assert.equal(local, 'hello!');
    assert.deepEqual(step.send?.op.toJSON(), [5, '!']);
    assert.equal(step.send?.seq, 2);
    assert.equal(step.send && step.send.op.apply(server), local);
  });

  it('for any refused op and later edits, the local text is the server text with the later edits', () => {
    forAll('reject', (random) => {
      const server = randomText(random);
      const client = new OtClient(0);
      const refused = opFor(server, randomChoices(random, 6));
      client.applyLocal(refused);
      let local = refused.apply(server);
      for (let n = random.next(4); n > 0; n--) {
        const edit = opFor(local, randomChoices(random, 4));
        client.applyLocal(edit);
        local = edit.apply(local);
      }

      const step = client.rejectInflight(refused.invert(server));
      for (const op of step.apply) local = op.apply(local);

      const pending = [client.inflight, ...client.pendingOps].filter((op) => op !== null);
      assert.equal(pending.reduce((t, op) => /** @type {TextOperation} */ (op).apply(t), server), local);
    });
  });
});

describe('OtClient committed stream', () => {
  it('lists remote ops as committed and our own at their ack, in revision order', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));

    const remote = client.receiveOp(1, ops('b'));
    const ack = client.receiveAck(1, 2);

    assert.deepEqual(remote.committed?.map((op) => op.toJSON()), [['b']]);
    assert.deepEqual(ack.committed?.map((op) => op.toJSON()), [[1, 'a']]);
    let server = '';
    for (const op of [...(remote.committed ?? []), ...(ack.committed ?? [])]) server = op.apply(server);
    assert.equal(server, 'ba');
  });
});

describe('OtClient.rebaseInflight', () => {
  it('sends the in-flight op, as transformed, with a new seq on the current revision', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('mine'));
    client.receiveOp(1, ops('b'));
    client.receiveOp(2, ops('b', 1));

    const again = client.rebaseInflight();

    assert.deepEqual(again && { seq: again.seq, baseRevision: again.baseRevision, op: again.op.toJSON() }, { seq: 2, baseRevision: 2, op: [2, 'mine'] });
    assert.equal(client.receiveAck(2, 3).apply.length, 0);
    assert.equal(client.revision, 3);
  });
});

describe('OtClient under a component limit', () => {
  it('does not compose buffered edits into an op with more components than the server allows', () => {
    const client = new OtClient(0, 0, { maxComponents: 4 });
    client.applyLocal(ops('abcdef'));

    client.applyLocal(ops(1, 'x', 5));
    client.applyLocal(ops(3, 'y', 4));

    assert.deepEqual(client.pendingOps.map((op) => op.toJSON()), [[1, 'x', 5], [3, 'y', 4]]);
  });
});
