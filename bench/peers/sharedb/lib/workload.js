// @ts-check
import { GapBuffer } from './gap-buffer.js';

/** @typedef {{ position: number, deleteCount: number, insert: string }} SectionEdit */

/**
 * What one client types into its own section. Only that client edits the section, so its own
 * copy (`expectedText`) is exactly what the section must hold at the end.
 */
class Workload {
  /** @param {string} initialText */
  constructor(initialText) {
    this.initialText = initialText;
    this.section = new GapBuffer(initialText);
    this.made = 0;
  }

  get expectedText() {
    return this.section.toString();
  }

  /** @returns {SectionEdit} the next edit, already applied to expectedText */
  next() {
    const edit = this.choose();
    this.section.splice(edit.position, edit.deleteCount, edit.insert);
    this.made++;
    return edit;
  }

  /** @returns {boolean} */
  get hasNext() {
    throw new Error('abstract');
  }

  /** @returns {SectionEdit} */
  choose() {
    throw new Error('abstract');
  }
}

/** Replays one slice of a trace, one patch per edit. */
export class TraceSliceWorkload extends Workload {
  /** @param {import('./trace.js').TraceSlice} slice */
  constructor(slice) {
    super(slice.initialText);
    this.slice = slice;
    this.nextIndex = slice.start;
  }

  get hasNext() {
    return this.nextIndex < this.slice.start + this.slice.count;
  }

  choose() {
    const p = this.slice.patches[this.nextIndex++];
    return { position: p.position, deleteCount: p.deleteCount, insert: p.insert };
  }
}

/** mulberry32: a small seeded generator, so runs are replayable. @param {number} seed */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = 'abcdefghijklmnopqrstuvwxyz    etaoin,.\n';

/**
 * A seeded typist with the same mix as RandomTypingWorkload.cs: mostly one character at the
 * cursor, sometimes a backspace, a forward delete or a jump elsewhere in the section.
 */
export class RandomTypingWorkload extends Workload {
  /** @param {number} seed */
  constructor(seed) {
    super('');
    this.random = random(seed);
    this.cursor = 0;
  }

  get hasNext() {
    return true;
  }

  choose() {
    const length = this.section.length;
    this.cursor = Math.min(this.cursor, length);
    const roll = this.random();
    if (roll < 0.04 && length > 0) this.cursor = Math.floor(this.random() * (length + 1));
    if (roll >= 0.04 && roll < 0.16 && this.cursor > 0) {
      this.cursor--;
      return { position: this.cursor, deleteCount: 1, insert: '' };
    }
    if (roll >= 0.16 && roll < 0.19 && this.cursor < length) return { position: this.cursor, deleteCount: 1, insert: '' };
    const key = KEYS[Math.floor(this.random() * KEYS.length)];
    return { position: this.cursor++, deleteCount: 0, insert: key };
  }
}

/**
 * The marker line opening section `index` of `count` (none for a client alone); the same text
 * as bench/CollabEdit.LoadDriver/Sections.cs.
 * @param {number} index @param {number} count
 */
export function marker(index, count) {
  return count === 1 ? '' : `\n=== section ${index + 1} of ${count}: nobody edits this line ===\n`;
}

/** @param {string[]} sections */
export function joinSections(sections) {
  return sections.map((text, i) => marker(i, sections.length) + text).join('');
}

/** Where the section after `mark` starts in `text`. @param {string} text @param {string} mark */
export function sectionStart(text, mark) {
  if (mark.length === 0) return 0;
  const at = text.indexOf(mark);
  if (at < 0) throw new Error(`The marker${mark.trimEnd()} is gone from the document.`);
  return at + mark.length;
}
