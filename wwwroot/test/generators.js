// @ts-check
/**
 * Generators that build a text first and then ops valid for it, mirroring
 * tests/CollabEdit.Ot.Tests/Generators.cs: texts include the empty text, accents, CJK, emoji
 * (surrogate pairs) and an emoji with a skin-tone modifier (two pairs). An op is derived from a
 * list of 32-bit choices, as in C#, so a failing case prints as its text and choices.
 * Not a test file (node --test runs it as an empty one).
 */
import { TextOperation } from '../js/text-operation.js';

/** Text atoms: "" makes empty texts and empty inserts likelier. */
export const ATOMS = Object.freeze(['', 'a', 'b', ' ', '\n', 'é', '中', '😀', '👍🏽', 'xyz']);

/**
 * A text of 0 … maxAtoms atoms.
 * @param {import('./random.js').Random} random
 * @param {number} [maxAtoms]
 */
export function randomText(random, maxAtoms = 24) {
  let text = '';
  for (let i = random.next(maxAtoms + 1); i > 0; i--) {
    text += ATOMS[random.next(ATOMS.length)];
  }

  return text;
}

/**
 * 0 … max random 32-bit choices for opFor.
 * @param {import('./random.js').Random} random
 * @param {number} [max]
 * @param {number} [min]
 */
export function randomChoices(random, max = 8, min = 0) {
  return Array.from({ length: random.between(min, max) }, () => random.nextUint());
}

/**
 * A valid op for `text`: each choice picks retain, insert or delete and a size; retains and
 * deletes never end inside a surrogate pair; the rest is retained.
 * @param {string} text
 * @param {readonly number[]} choices
 */
export function opFor(text, choices) {
  const builder = TextOperation.builder();
  let pos = 0;
  for (const choice of choices) {
    const size = Math.floor(choice / 3);
    switch (choice % 3) {
      case 0:
        pos += advance(text, pos, (size % 6) + 1, (n) => builder.retain(n));
        break;
      case 1:
        builder.insert(insertText(size));
        break;
      default:
        pos += advance(text, pos, (size % 4) + 1, (n) => builder.delete(n));
        break;
    }
  }

  builder.retain(text.length - pos);
  return builder.build();
}

/**
 * A text of 1 … 3 atoms picked by `seed`'s digits in base ATOMS.length.
 * @param {number} seed
 */
export function insertText(seed) {
  const count = (seed % 3) + 1;
  seed = Math.floor(seed / 3);
  let text = '';
  for (let i = 0; i < count; i++) {
    text += ATOMS[seed % ATOMS.length];
    seed = Math.floor(seed / ATOMS.length);
  }

  return text;
}

/**
 * @param {string} text
 * @param {number} pos
 * @param {number} wanted
 * @param {(n: number) => unknown} add
 */
function advance(text, pos, wanted, add) {
  let n = Math.min(wanted, text.length - pos);
  if (n > 0 && pos + n < text.length && isLowSurrogate(text.charCodeAt(pos + n))) {
    n++; // Never stop between the halves of a pair.
  }

  add(n);
  return n;
}

/** @param {number} c */
function isLowSurrogate(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Short way to write ops in tests: `ops(5, 'hello', -3, 2)` is the wire form.
 * @param {...(number | string)} wire
 */
export function ops(...wire) {
  return TextOperation.fromJSON(wire);
}
