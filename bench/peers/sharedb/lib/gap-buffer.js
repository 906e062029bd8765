// @ts-check
/**
 * A mutable text (UTF-16 code units) for the workloads' own copies of their sections and for
 * replaying a trace up to a slice's start: a splice moves a gap instead of copying the whole
 * string, as src/Ot/TextDocument does.
 */
export class GapBuffer {
  /** @param {string} text */
  constructor(text = '') {
    this.buffer = new Uint16Array(Math.max(64, text.length * 2));
    for (let i = 0; i < text.length; i++) this.buffer[i] = text.charCodeAt(i);
    this.gapStart = text.length;
    this.gapEnd = this.buffer.length;
  }

  get length() {
    return this.buffer.length - (this.gapEnd - this.gapStart);
  }

  /**
   * Deletes `deleteCount` units at `position`, then inserts `insert` there.
   * @param {number} position @param {number} deleteCount @param {string} insert
   */
  splice(position, deleteCount, insert) {
    if (position < 0 || deleteCount < 0 || position + deleteCount > this.length) {
      throw new RangeError(`splice(${position}, ${deleteCount}) does not fit a text of length ${this.length}`);
    }
    this.#moveGap(position);
    this.gapEnd += deleteCount;
    if (this.gapEnd - this.gapStart < insert.length) this.#grow(insert.length);
    for (let i = 0; i < insert.length; i++) this.buffer[this.gapStart++] = insert.charCodeAt(i);
  }

  toString() {
    const decoder = new TextDecoder('utf-16le');
    const bytes = (/** @type {number} */ from, /** @type {number} */ to) =>
      new Uint8Array(this.buffer.buffer, from * 2, (to - from) * 2);
    return decoder.decode(bytes(0, this.gapStart)) + decoder.decode(bytes(this.gapEnd, this.buffer.length));
  }

  /** @param {number} position */
  #moveGap(position) {
    if (position < this.gapStart) {
      const count = this.gapStart - position;
      this.buffer.copyWithin(this.gapEnd - count, position, this.gapStart);
      this.gapStart -= count;
      this.gapEnd -= count;
    } else if (position > this.gapStart) {
      const count = position - this.gapStart;
      this.buffer.copyWithin(this.gapStart, this.gapEnd, this.gapEnd + count);
      this.gapStart += count;
      this.gapEnd += count;
    }
  }

  /** @param {number} needed */
  #grow(needed) {
    const size = Math.max(this.buffer.length * 2, this.length + needed + 64);
    const next = new Uint16Array(size);
    next.set(this.buffer.subarray(0, this.gapStart));
    const tail = this.buffer.length - this.gapEnd;
    next.set(this.buffer.subarray(this.gapEnd), size - tail);
    this.gapEnd = size - tail;
    this.buffer = next;
  }
}
