// @ts-check
/**
 * OtClient by example: the three states, strict revision order, stale messages, reconnects.
 * Mirrors tests/CollabEdit.Ot.Tests/OtClientTests.cs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientState, OtClient } from '../js/client.js';
import { TextOperation } from '../js/text-operation.js';
import { ops } from './generators.js';

/**
 * The wire forms of a step, for readable comparisons.
 * @param {import('../js/client.js').ClientStep} step
 */
function wire(step) {
  return {
    apply: step.apply.map((op) => op.toJSON()),
    send: step.send && { seq: step.send.seq, baseRevision: step.send.baseRevision, op: step.send.op.toJSON() },
  };
}

describe('OtClient', () => {
  it('sends a local edit at once when synchronized', () => {
    const client = new OtClient(3);

    const sent = client.applyLocal(ops('a'));

    assert.deepEqual(sent && { ...sent, op: sent.op.toJSON() }, { seq: 1, baseRevision: 3, op: ['a'] });
    assert.equal(client.state, ClientState.AwaitingConfirm);
    assert.equal(client.sent, sent);
  });

  it('composes local edits into the buffer while awaiting', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));

    assert.equal(client.applyLocal(ops(1, 'b')), null);
    assert.equal(client.applyLocal(ops(2, 'c')), null);

    assert.equal(client.state, ClientState.AwaitingWithBuffer);
    assert.deepEqual(client.buffer?.toJSON(), [1, 'bc']);
  });

  it('sends the buffer based on the acknowledged revision', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));
    client.applyLocal(ops(1, 'b'));

    const step = client.receiveAck(1, 1);

    assert.deepEqual(wire(step), { apply: [], send: { seq: 2, baseRevision: 1, op: [1, 'b'] } });
    assert.equal(client.state, ClientState.AwaitingConfirm);
    assert.equal(client.revision, 1);
  });

  it('becomes synchronized on the ack of its only op', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));

    const step = client.receiveAck(1, 1);

    assert.deepEqual(wire(step), { apply: [], send: null });
    assert.equal(client.state, ClientState.Synchronized);
    assert.equal(client.inflight, null);
    assert.equal(client.sent, null);
  });

  it('transforms the in-flight op and the buffer by a remote op', () => {
    const client = new OtClient(0); // text "xy"
    client.applyLocal(ops(1, 'A', 1)); // local "xAy"
    client.applyLocal(ops(3, '!')); // local "xAy!"

    const step = client.receiveOp(1, ops('S', 2)); // server: "Sxy"

    assert.deepEqual(wire(step), { apply: [['S', 4]], send: null });
    assert.deepEqual(client.inflight?.toJSON(), [2, 'A', 1]);
    assert.deepEqual(client.buffer?.toJSON(), [4, '!']);
    assert.equal(client.revision, 1);
  });

  it('keeps the submission as sent when a remote op transforms the in-flight op', () => {
    const client = new OtClient(0);
    const sent = client.applyLocal(ops('a'));

    client.receiveOp(1, ops('b'));

    assert.equal(client.sent, sent);
    assert.deepEqual(sent?.op.toJSON(), ['a']);
    assert.deepEqual(client.inflight?.toJSON(), [1, 'a']);
  });

  it('makes an early op wait for the ones before it', () => {
    const client = new OtClient(0);

    const early = client.receiveOp(2, ops(1, 'b'));
    assert.equal(client.waitingCount, 1);
    const step = client.receiveOp(1, ops('a'));

    assert.deepEqual(early.apply, []);
    assert.deepEqual(wire(step).apply, [['a'], [1, 'b']]);
    assert.equal(client.revision, 2);
    assert.equal(client.waitingCount, 0);
  });

  it('makes an ack wait for an earlier remote op', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));

    const ack = client.receiveAck(1, 2); // our op is revision 2; revision 1 not seen yet
    assert.equal(client.state, ClientState.AwaitingConfirm);
    assert.deepEqual(wire(ack), { apply: [], send: null });

    const step = client.receiveOp(1, ops('z'));

    assert.deepEqual(wire(step).apply, [['z', 1]]); // committed first, so "z" goes left of our "a"
    assert.equal(client.state, ClientState.Synchronized);
    assert.equal(client.revision, 2);
  });

  it('ignores an op already seen', () => {
    const client = new OtClient(0);
    client.receiveOp(1, ops('a'));

    assert.deepEqual(wire(client.receiveOp(1, ops('a'))), { apply: [], send: null });
    assert.equal(client.revision, 1);
  });

  it('keeps the first copy of an early op received twice', () => {
    const client = new OtClient(0);
    client.receiveOp(2, ops(1, 'b'));
    client.receiveOp(2, ops(1, 'b'));

    const step = client.receiveOp(1, ops('a'));

    assert.deepEqual(wire(step).apply, [['a'], [1, 'b']]);
    assert.equal(client.waitingCount, 0);
  });

  it('resends the original submission unchanged on reconnect', () => {
    const client = new OtClient(0);
    const sent = client.applyLocal(ops('a'));
    client.receiveOp(1, ops('b')); // transforms the in-flight op locally

    const resend = client.reconnect();

    assert.equal(resend, sent);
    assert.ok(client.awaitingResend);
  });

  it('resends nothing on reconnect when synchronized', () => {
    const client = new OtClient(4);

    assert.equal(client.reconnect(), null);
    assert.ok(!client.awaitingResend);
  });

  it('applies nothing after a reconnect until the ack', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));
    client.reconnect();

    const remote = client.receiveOp(1, ops('z')); // someone else's op, committed before ours
    assert.deepEqual(wire(remote).apply, []);
    assert.equal(client.waitingCount, 1);

    const step = client.receiveAck(1, 2);

    assert.deepEqual(wire(step).apply, [['z', 1]]);
    assert.equal(client.state, ClientState.Synchronized);
    assert.equal(client.revision, 2);
    assert.ok(!client.awaitingResend);
  });

  it('recognises its own op arriving as a broadcast after a reconnect', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));
    client.reconnect();

    // The old connection's submit committed as revision 1; catch-up delivers it as an op.
    const beforeAck = client.receiveOp(1, ops('a'));
    const afterAck = client.receiveAck(1, 1);

    assert.deepEqual(beforeAck.apply, []);
    assert.deepEqual(afterAck.apply, []);
    assert.equal(client.state, ClientState.Synchronized);
    assert.equal(client.revision, 1);
  });

  it('ignores a stale ack', () => {
    const client = new OtClient(0);
    client.applyLocal(ops('a'));
    client.receiveAck(1, 1);

    assert.deepEqual(wire(client.receiveAck(1, 1)), { apply: [], send: null });
    assert.deepEqual(wire(client.receiveAck(99, 2)), { apply: [], send: null });
    assert.equal(client.revision, 1);
  });

  it('continues the seq after lastSeq', () => {
    const client = new OtClient(0, 41);

    assert.equal(client.applyLocal(TextOperation.identity(0))?.seq, 42);
  });

  it('rejects a negative revision and what is not an operation', () => {
    assert.throws(() => new OtClient(-1), RangeError);
    assert.throws(() => new OtClient(0).applyLocal(/** @type {any} */ (['a'])), TypeError);
    assert.throws(() => new OtClient(0).receiveOp(1.5, ops('a')), RangeError);
  });
});
