// @ts-check
/**
 * The browser's OT engine: the same operation, the same rules and the same wire form as the C#
 * engine in src/Ot (TextOperation.cs, TextOperation.Algebra.cs, TextOperationBuilder.cs), checked
 * against the shared vectors in tests/vectors/ot.json. Pure: no DOM, no I/O.
 *
 * An operation is a canonical sequence of components that spans the whole text it applies to:
 * retain n (n > 0), insert s (s non-empty, well-formed UTF-16), delete n (n > 0). Lengths count
 * UTF-16 code units, the unit of JavaScript strings. Components are held in the wire form: a
 * positive integer is a retain, a string an insert, a negative integer a delete, so
 * `[5, "hello", -3, 2]` on a 10-unit text keeps 5, inserts "hello", deletes 3 and keeps 2.
 */

/** The largest length or count an operation may have: C#'s int.MaxValue. */
const MAX_LENGTH = 2147483647;

/** Guards the constructor: only the builder makes operations, so every one is canonical. */
const BUILD = Symbol('TextOperation.build');

/**
 * One component in the wire form: a positive integer retains, a string inserts, a negative
 * integer deletes.
 * @typedef {number | string} WireComponent
 */

/**
 * A caret or selection in UTF-16 offsets: `anchor` stays put while extending, `head` moves.
 * @typedef {{ anchor: number, head: number }} Selection
 */

/**
 * Thrown when an operation is malformed or does not fit the text it is used with. The message
 * names the function and the lengths involved; nothing was changed when it is thrown.
 * (C#: InvalidTextOperationException.)
 */
export class InvalidTextOperationError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InvalidTextOperationError';
  }
}

/** @param {number} c */
const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;

/** @param {number} c */
const isLowSurrogate = (c) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Index of the first unpaired surrogate in `text`, or -1.
 * @param {string} text
 * @returns {number}
 */
function indexOfLoneSurrogate(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) {
      continue;
    }

    if (isHighSurrogate(c) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      i++;
      continue;
    }

    return i;
  }

  return -1;
}

/**
 * True when position `index` falls between the halves of a surrogate pair of `text`.
 * @param {string} text
 * @param {number} index
 */
function splitsPair(text, index) {
  return index > 0 && index < text.length
    && isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  if (value === null) {
    return 'null';
  }

  if (Array.isArray(value)) {
    return 'an array';
  }

  if (typeof value === 'string') {
    return JSON.stringify(value);
  }

  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') {
    return String(value);
  }

  return typeof value === 'object' ? 'an object' : `a value of type ${typeof value}`;
}

/**
 * A count as the builder accepts it: an integer that fits C#'s int. Zero is allowed (it adds
 * nothing); the sign is checked by the caller so the message can say which rule was broken.
 * @param {unknown} count
 * @param {string} fn
 * @returns {asserts count is number}
 */
function checkCount(count, fn) {
  if (typeof count !== 'number' || !Number.isInteger(count)) {
    throw new InvalidTextOperationError(`${fn}: the count must be an integer, got ${describe(count)}.`);
  }

  if (count < 0) {
    throw new InvalidTextOperationError(`${fn}: the count must not be negative, got ${count}.`);
  }
}

/**
 * @param {string} fn
 * @param {string} which
 * @param {number} length
 * @param {number} added
 */
function overflow(fn, which, length, added) {
  return new InvalidTextOperationError(
    `${fn}: the ${which} length ${length} + ${added} would pass the 32-bit limit ${MAX_LENGTH}.`);
}

/**
 * @param {unknown} value
 * @param {string} fn
 * @returns {asserts value is TextOperation}
 */
function requireOperation(value, fn) {
  if (!(value instanceof TextOperation)) {
    throw new TypeError(`${fn}: expected a TextOperation, got ${describe(value)}.`);
  }
}

/**
 * @param {unknown} text
 * @param {string} fn
 * @returns {asserts text is string}
 */
function requireText(text, fn) {
  if (typeof text !== 'string') {
    throw new TypeError(`${fn}: expected the text as a string, got ${describe(text)}.`);
  }
}

/**
 * Builds a TextOperation in canonical form: zero counts and empty inserts are dropped,
 * neighbours of one kind are merged, and an insert is placed before an adjacent delete (both
 * orders mean the same edit, so only one is allowed). Negative counts, non-integers, lone
 * surrogates and lengths past 2^31 - 1 throw InvalidTextOperationError.
 */
export class TextOperationBuilder {
  /** @type {WireComponent[]} */
  #components = [];
  #baseLength = 0;
  #targetLength = 0;

  /**
   * Keeps the next `count` code units; 0 adds nothing.
   * @param {number} count
   * @returns {this}
   */
  retain(count) {
    checkCount(count, 'retain');
    if (count === 0) {
      return this;
    }

    if (this.#baseLength + count > MAX_LENGTH) {
      throw overflow('retain', 'base', this.#baseLength, count);
    }

    if (this.#targetLength + count > MAX_LENGTH) {
      throw overflow('retain', 'target', this.#targetLength, count);
    }

    this.#baseLength += count;
    this.#targetLength += count;
    const components = this.#components;
    const last = components.length - 1;
    if (last >= 0 && typeof components[last] === 'number' && /** @type {number} */ (components[last]) > 0) {
      components[last] = /** @type {number} */ (components[last]) + count;
    } else {
      components.push(count);
    }

    return this;
  }

  /**
   * Inserts `text`; an empty string adds nothing. A lone surrogate is rejected.
   * @param {string} text
   * @returns {this}
   */
  insert(text) {
    if (typeof text !== 'string') {
      throw new InvalidTextOperationError(`insert: the text must be a string, got ${describe(text)}.`);
    }

    if (text.length === 0) {
      return this;
    }

    const lone = indexOfLoneSurrogate(text);
    if (lone >= 0) {
      throw new InvalidTextOperationError(
        `insert: the text has a lone surrogate at index ${lone} (length ${text.length}).`);
    }

    if (this.#targetLength + text.length > MAX_LENGTH) {
      throw overflow('insert', 'target', this.#targetLength, text.length);
    }

    this.#targetLength += text.length;
    const components = this.#components;
    const count = components.length;
    const last = components[count - 1];
    if (typeof last === 'string') {
      components[count - 1] = last + text;
    } else if (typeof last === 'number' && last < 0) {
      // Canonical order: insert before delete. Merge with an insert that precedes the delete.
      const beforeDelete = components[count - 2];
      if (typeof beforeDelete === 'string') {
        components[count - 2] = beforeDelete + text;
      } else {
        components.splice(count - 1, 0, text);
      }
    } else {
      components.push(text);
    }

    return this;
  }

  /**
   * Deletes the next `count` code units; 0 adds nothing.
   * @param {number} count
   * @returns {this}
   */
  delete(count) {
    checkCount(count, 'delete');
    if (count === 0) {
      return this;
    }

    if (this.#baseLength + count > MAX_LENGTH) {
      throw overflow('delete', 'base', this.#baseLength, count);
    }

    this.#baseLength += count;
    const components = this.#components;
    const last = components.length - 1;
    if (last >= 0 && typeof components[last] === 'number' && /** @type {number} */ (components[last]) < 0) {
      components[last] = /** @type {number} */ (components[last]) - count;
    } else {
      components.push(-count);
    }

    return this;
  }

  /**
   * The finished operation. The builder may be used again; the operation does not change.
   * @returns {TextOperation}
   */
  build() {
    return new TextOperation(BUILD, Object.freeze([...this.#components]), this.#baseLength, this.#targetLength);
  }
}

/**
 * An immutable edit of a whole text: a canonical sequence of retain, insert and delete
 * components. It applies only to a text whose length is `baseLength` and produces one of length
 * `targetLength`. Two operations are equal (`equals`) when their components are equal.
 * Make one with `TextOperation.builder()`, `identity`, `splice` or `fromJSON`.
 */
export class TextOperation {
  /** @type {readonly WireComponent[]} */
  #components;

  /**
   * Not for callers: use `TextOperation.builder()`, which guarantees canonical form.
   * @param {symbol} token
   * @param {readonly WireComponent[]} components
   * @param {number} baseLength
   * @param {number} targetLength
   */
  constructor(token, components, baseLength, targetLength) {
    if (token !== BUILD) {
      throw new TypeError('TextOperation: use TextOperation.builder(), identity, splice or fromJSON.');
    }

    this.#components = components;
    /** The length of the text this operation applies to: the sum of retains and deletes. */
    this.baseLength = baseLength;
    /** The length of the text after applying: the sum of retains and inserts. */
    this.targetLength = targetLength;
    Object.freeze(this);
  }

  /**
   * The components in canonical wire form (frozen): positive = retain, string = insert,
   * negative = delete.
   * @returns {readonly WireComponent[]}
   */
  get components() {
    return this.#components;
  }

  /** True when applying changes nothing (only retains, or nothing at all). */
  get isNoop() {
    const c = this.#components;
    return c.length === 0 || (c.length === 1 && typeof c[0] === 'number' && c[0] > 0);
  }

  /** Starts a canonicalising builder. */
  static builder() {
    return new TextOperationBuilder();
  }

  /**
   * The operation that keeps a text of `length` code units unchanged.
   * @param {number} length
   */
  static identity(length) {
    return TextOperation.builder().retain(length).build();
  }

  /**
   * The operation that replaces `deleteCount` code units at `position` with `insert` in a text of
   * `length` code units.
   * @param {number} length
   * @param {number} position
   * @param {number} deleteCount
   * @param {string} insert
   */
  static splice(length, position, deleteCount, insert) {
    for (const [name, value] of /** @type {const} */ ([['length', length], ['position', position], ['delete count', deleteCount]])) {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new InvalidTextOperationError(`splice: the ${name} must be an integer, got ${describe(value)}.`);
      }
    }

    if (position < 0 || deleteCount < 0 || position + deleteCount > length) {
      throw new InvalidTextOperationError(
        `splice: position ${position} and delete count ${deleteCount} do not fit a text of length ${length}.`);
    }

    return TextOperation.builder()
      .retain(position)
      .insert(insert)
      .delete(deleteCount)
      .retain(length - position - deleteCount)
      .build();
  }

  /**
   * An operation from its wire form, accepting exactly what the C# JSON converter accepts: an
   * array whose elements are non-zero integers in -(2^31 - 1) … 2^31 - 1 and non-empty strings
   * without lone surrogates, with base and target lengths that fit 32 bits. Neighbours are merged
   * into canonical form. Anything else throws InvalidTextOperationError naming the element.
   *
   * A parsed value cannot tell `1.0` from `1`; to reject float literals as C# does, parse JSON
   * text with `parseOperation`.
   * @param {unknown} value
   * @returns {TextOperation}
   */
  static fromJSON(value) {
    if (!Array.isArray(value)) {
      throw new InvalidTextOperationError(`fromJSON: expected an array, got ${describe(value)}.`);
    }

    const builder = TextOperation.builder();
    for (let index = 0; index < value.length; index++) {
      const element = value[index];
      if (typeof element === 'number') {
        // C# rejects int.MinValue too: a delete of 2^31 has no Int32 count.
        if (!Number.isInteger(element) || element === 0 || element > MAX_LENGTH || element < -MAX_LENGTH) {
          throw new InvalidTextOperationError(
            `fromJSON: element ${index} must be a non-zero 32-bit integer, got ${describe(element)}.`);
        }

        addElement(index, () => (element > 0 ? builder.retain(element) : builder.delete(-element)));
      } else if (typeof element === 'string') {
        if (element.length === 0) {
          throw new InvalidTextOperationError(`fromJSON: element ${index} is an empty insert.`);
        }

        addElement(index, () => builder.insert(element));
      } else {
        throw new InvalidTextOperationError(
          `fromJSON: element ${index} must be an integer or a string, got ${describe(element)}.`);
      }
    }

    return builder.build();
  }

  /**
   * The wire form, e.g. `[5, "hello", -3, 2]`; `JSON.stringify(op)` uses it.
   * @returns {WireComponent[]}
   */
  toJSON() {
    return [...this.#components];
  }

  /** The wire form as JSON text, e.g. `[5,"hello",-3,2]`. */
  toString() {
    return JSON.stringify(this.#components);
  }

  /**
   * Equality by components (and so by lengths).
   * @param {unknown} other
   * @returns {boolean}
   */
  equals(other) {
    if (other === this) {
      return true;
    }

    if (!(other instanceof TextOperation)
      || other.baseLength !== this.baseLength
      || other.targetLength !== this.targetLength) {
      return false;
    }

    const a = this.#components;
    const b = other.#components;
    if (a.length !== b.length) {
      return false;
    }

    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        return false;
      }
    }

    return true;
  }

  /**
   * Throws unless this operation fits `text`: the lengths match and no component starts or ends
   * between the halves of a surrogate pair.
   * @param {string} text
   * @param {string} [fn] the function named in the message
   */
  checkFits(text, fn = 'checkFits') {
    requireText(text, fn);
    if (text.length !== this.baseLength) {
      throw new InvalidTextOperationError(
        `${fn}: the operation's base length is ${this.baseLength} but the text's length is ${text.length}.`);
    }

    let pos = 0;
    for (const component of this.#components) {
      if (splitsPair(text, pos)) {
        throw splitError(fn, pos, text.length);
      }

      pos += baseLengthOf(component);
    }

    if (splitsPair(text, pos)) {
      throw splitError(fn, pos, text.length);
    }
  }

  /**
   * Applies this operation to `text`. Requires `text.length === baseLength` and that no
   * component boundary falls inside a surrogate pair of the text.
   * @param {string} text
   * @returns {string}
   */
  apply(text) {
    this.checkFits(text, 'apply');
    let result = '';
    let pos = 0;
    for (const component of this.#components) {
      if (typeof component === 'string') {
        result += component;
      } else if (component > 0) {
        result += text.slice(pos, pos + component);
        pos += component;
      } else {
        pos -= component;
      }
    }

    return result;
  }

  /**
   * The operation that undoes this one: `inverse.apply(op.apply(text)) === text`, where `text`
   * is the text this operation applies to.
   * @param {string} text
   * @returns {TextOperation}
   */
  invert(text) {
    this.checkFits(text, 'invert');
    const builder = TextOperation.builder();
    let pos = 0;
    for (const component of this.#components) {
      if (typeof component === 'string') {
        builder.delete(component.length);
      } else if (component > 0) {
        builder.retain(component);
        pos += component;
      } else {
        builder.insert(text.slice(pos, pos - component));
        pos -= component;
      }
    }

    return builder.build();
  }

  /**
   * The single operation with the effect of `a` followed by `b`:
   * `compose(a, b).apply(s) === b.apply(a.apply(s))`. Requires `a.targetLength === b.baseLength`.
   * @param {TextOperation} a
   * @param {TextOperation} b
   * @returns {TextOperation}
   */
  static compose(a, b) {
    requireOperation(a, 'compose');
    requireOperation(b, 'compose');
    if (a.targetLength !== b.baseLength) {
      throw new InvalidTextOperationError(
        `compose: the first operation's target length is ${a.targetLength} but the second's base length is ${b.baseLength}.`);
    }

    const builder = TextOperation.builder();
    const x = new ComponentReader(a.#components);
    const y = new ComponentReader(b.#components);
    while (x.kind !== NONE || y.kind !== NONE) {
      // a's deletes and b's inserts touch nothing of the other: emit them as they come.
      if (x.kind === DELETE) {
        builder.delete(x.length);
        x.consume(x.length);
        continue;
      }

      if (y.kind === INSERT) {
        builder.insert(y.text(y.length));
        y.consume(y.length);
        continue;
      }

      // Lengths matched, so both run out together; anything else here is a bug.
      if (x.kind === NONE || y.kind === NONE) {
        throw new Error('compose: the operations ran out at different points.');
      }

      const n = Math.min(x.length, y.length);
      if (x.kind === RETAIN) {
        if (y.kind === RETAIN) {
          builder.retain(n);
        } else {
          builder.delete(n);
        }
      } else if (y.kind === RETAIN) {
        builder.insert(x.text(n));
      }
      // Otherwise b deletes what a inserted: nothing remains of either.

      x.consume(n);
      y.consume(n);
    }

    return builder.build();
  }

  /**
   * Transforms two concurrent operations on the same text. `a` is the one committed first: where
   * both insert at one position, a's text ends up left. Returns `[aPrime, bPrime]` with
   * `bPrime.apply(a.apply(s)) === aPrime.apply(b.apply(s))` (TP1).
   * Requires `a.baseLength === b.baseLength`.
   * @param {TextOperation} a
   * @param {TextOperation} b
   * @returns {[TextOperation, TextOperation]}
   */
  static transform(a, b) {
    requireOperation(a, 'transform');
    requireOperation(b, 'transform');
    if (a.baseLength !== b.baseLength) {
      throw new InvalidTextOperationError(
        `transform: the first operation's base length is ${a.baseLength} but the second's is ${b.baseLength}.`);
    }

    const aPrime = TextOperation.builder();
    const bPrime = TextOperation.builder();
    const x = new ComponentReader(a.#components);
    const y = new ComponentReader(b.#components);
    while (x.kind !== NONE || y.kind !== NONE) {
      // Inserts go first, a's before b's: that is the tie-break.
      if (x.kind === INSERT) {
        aPrime.insert(x.text(x.length));
        bPrime.retain(x.length);
        x.consume(x.length);
        continue;
      }

      if (y.kind === INSERT) {
        aPrime.retain(y.length);
        bPrime.insert(y.text(y.length));
        y.consume(y.length);
        continue;
      }

      if (x.kind === NONE || y.kind === NONE) {
        throw new Error('transform: the operations ran out at different points.');
      }

      const n = Math.min(x.length, y.length);
      if (x.kind === RETAIN) {
        if (y.kind === RETAIN) {
          aPrime.retain(n);
          bPrime.retain(n);
        } else {
          bPrime.delete(n);
        }
      } else if (y.kind === RETAIN) {
        aPrime.delete(n);
      }
      // Otherwise both deleted the same range: neither has anything left to delete.

      x.consume(n);
      y.consume(n);
    }

    return [aPrime.build(), bPrime.build()];
  }

  /**
   * Where position `index` of the base text ends up after this operation, in
   * `[0, targetLength]`. An insert exactly at the index pushes it right only for `ownEdit` (your
   * caret follows your typing; another's typing at your caret leaves it before their text). An
   * index inside a deleted range moves to the range's start.
   * @param {number} index
   * @param {boolean} ownEdit
   * @returns {number}
   */
  transformIndex(index, ownEdit) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > this.baseLength) {
      throw new InvalidTextOperationError(
        `transformIndex: index ${describe(index)} is outside a text of length ${this.baseLength}.`);
    }

    let pos = 0;
    let result = index;
    for (const component of this.#components) {
      if (pos > index) {
        break;
      }

      if (typeof component === 'string') {
        if (pos < index || ownEdit) {
          result += component.length;
        }
      } else if (component > 0) {
        pos += component;
      } else {
        result -= Math.min(-component, index - pos);
        pos -= component;
      }
    }

    return result;
  }

  /**
   * Transforms both ends of `selection`, as `transformIndex` does.
   * @param {Selection} selection
   * @param {boolean} ownEdit
   * @returns {Selection}
   */
  transformSelection(selection, ownEdit) {
    return {
      anchor: this.transformIndex(selection.anchor, ownEdit),
      head: this.transformIndex(selection.head, ownEdit),
    };
  }
}

/**
 * Parses JSON text in the wire form, accepting exactly what the C# JSON converter accepts.
 *
 * Why not just `TextOperation.fromJSON(JSON.parse(json))`: JSON.parse turns `1.0` and `1e3` into
 * the integers 1 and 1000, but C#'s converter reads each number token with TryGetInt32, which
 * refuses any literal with a fraction or an exponent. So the array's number tokens are checked to
 * be integer literals first; everything else (syntax, ranges, strings, nesting) is then left to
 * JSON.parse and fromJSON.
 * @param {string} json
 * @returns {TextOperation}
 */
export function parseOperation(json) {
  if (typeof json !== 'string') {
    throw new TypeError(`parseOperation: expected JSON text, got ${describe(json)}.`);
  }

  checkIntegerLiterals(json);
  let value;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new InvalidTextOperationError(`parseOperation: not valid JSON (${/** @type {Error} */ (e).message}).`);
  }

  return TextOperation.fromJSON(value);
}

const NUMBER_TOKEN = /-?\d+(?:\.\d*)?(?:[eE][+-]?\d*)?/y;
const INTEGER_LITERAL = /^-?\d+$/;

/**
 * Throws when an element of the top-level array is a number literal with a fraction or an
 * exponent. Numbers elsewhere (nested, or not in an array at all) are rejected later anyway.
 * @param {string} json
 */
function checkIntegerLiterals(json) {
  let depth = 0;
  let element = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      // Skip the string, escapes included.
      for (i++; i < json.length && json[i] !== '"'; i++) {
        if (json[i] === '\\') {
          i++;
        }
      }
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 1) {
      element++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_TOKEN.lastIndex = i;
      const token = NUMBER_TOKEN.exec(json)?.[0] ?? c;
      if (depth === 1 && !INTEGER_LITERAL.test(token)) {
        throw new InvalidTextOperationError(
          `parseOperation: element ${element} must be a non-zero 32-bit integer, got ${token}.`);
      }

      i += token.length - 1;
    }
  }
}

/**
 * Adds one wire element, naming the element in any error (as the C# converter does).
 * @param {number} index
 * @param {() => unknown} add
 */
function addElement(index, add) {
  try {
    add();
  } catch (e) {
    if (e instanceof InvalidTextOperationError) {
      throw new InvalidTextOperationError(`fromJSON: element ${index}: ${e.message}`);
    }

    throw e;
  }
}

/**
 * @param {string} fn
 * @param {number} position
 * @param {number} length
 */
function splitError(fn, position, length) {
  return new InvalidTextOperationError(
    `${fn}: the operation splits a surrogate pair at position ${position} of a text of length ${length}.`);
}

/** @param {WireComponent} component */
function baseLengthOf(component) {
  return typeof component === 'string' ? 0 : Math.abs(component);
}

const NONE = 0;
const RETAIN = 1;
const INSERT = 2;
const DELETE = 3;

/**
 * Walks an operation's components, letting callers consume part of the current one without
 * making a new component for the remainder.
 */
class ComponentReader {
  /** @type {readonly WireComponent[]} */
  #components;
  #next = 0;
  #offset = 0;
  /** @type {string} */
  #text = '';
  /** NONE, RETAIN, INSERT or DELETE. */
  kind = NONE;
  /** Code units left in the current component. */
  length = 0;

  /** @param {readonly WireComponent[]} components */
  constructor(components) {
    this.#components = components;
    this.#advance();
  }

  /**
   * The rest of the current insert's text, `count` units of it.
   * @param {number} count
   */
  text(count) {
    return this.#offset === 0 && count === this.#text.length
      ? this.#text
      : this.#text.slice(this.#offset, this.#offset + count);
  }

  /** @param {number} count */
  consume(count) {
    this.length -= count;
    this.#offset += count;
    if (this.length === 0) {
      this.#advance();
    }
  }

  #advance() {
    this.#offset = 0;
    this.#text = '';
    if (this.#next >= this.#components.length) {
      this.kind = NONE;
      this.length = 0;
      return;
    }

    const component = this.#components[this.#next++];
    if (typeof component === 'string') {
      this.kind = INSERT;
      this.length = component.length;
      this.#text = component;
    } else if (component > 0) {
      this.kind = RETAIN;
      this.length = component;
    } else {
      this.kind = DELETE;
      this.length = -component;
    }
  }
}
