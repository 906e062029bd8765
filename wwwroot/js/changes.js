// @ts-check
// TextOperations and CodeMirror's changes and texts, each way. CodeMirror's Text is a balanced
// tree of lines, so applying an op to it costs the size of the op, not of the document: the
// connection keeps the server's text in one.

import { ChangeSet, Text } from '../lib/vendor.js';
import { TextOperation } from './text-operation.js';

/** Converts a CodeMirror change set (on a text of `length`) to a TextOperation. */
export function changesToOperation(/** @type {any} */ changes, /** @type {number} */ length) {
  const builder = TextOperation.builder();
  let pos = 0;
  changes.iterChanges((/** @type {number} */ fromA, /** @type {number} */ toA, /** @type {number} */ _fromB, /** @type {number} */ _toB, /** @type {any} */ inserted) => {
    builder.retain(fromA - pos);
    builder.insert(inserted.toString());
    builder.delete(toA - fromA);
    pos = toA;
  });
  builder.retain(length - pos);
  return builder.build();
}

/** Converts a TextOperation to CodeMirror change specs, positions in the text it applies to. */
export function operationToChanges(/** @type {TextOperation} */ op) {
  const changes = [];
  let pos = 0;
  for (const c of op.components) {
    if (typeof c === 'string') changes.push({ from: pos, insert: c });
    else if (c > 0) pos += c;
    else { changes.push({ from: pos, to: pos - c }); pos -= c; }
  }
  return changes;
}

/** A CodeMirror text of `value` (only "\n" breaks lines, as in the editor). @param {string} value */
export function textOf(value) {
  return Text.of(value.split('\n'));
}

/** `op` applied to a CodeMirror text. @param {any} text @param {TextOperation} op */
export function applyToText(text, op) {
  if (op.baseLength !== text.length) {
    throw new RangeError(`applyToText: the op applies to ${op.baseLength} code units, the text has ${text.length}.`);
  }
  return ChangeSet.of(operationToChanges(op), op.baseLength).apply(text);
}

/** The op that undoes `op` on `text` (the text `op` applies to). @param {TextOperation} op @param {any} text */
export function invertOnText(op, text) {
  const builder = TextOperation.builder();
  let pos = 0;
  for (const c of op.components) {
    if (typeof c === 'string') builder.delete(c.length);
    else if (c > 0) { builder.retain(c); pos += c; }
    else { builder.insert(text.sliceString(pos, pos - c)); pos -= c; }
  }
  return builder.build();
}
