// @ts-check
/**
 * Seeded randomness for the property and simulation tests: every run is replayable from the
 * printed seed. Not a test file (node --test runs it as an empty one).
 */

/**
 * mulberry32: a tiny 32-bit PRNG, good enough to drive test generators.
 * @param {number} seed
 */
export function createRandom(seed) {
  let state = seed >>> 0;
  /** A uniformly random 32-bit unsigned integer. */
  const nextUint = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    nextUint,
    /**
     * An integer in [0, n).
     * @param {number} n
     */
    next: (n) => Math.floor((nextUint() / 4294967296) * n),
    /**
     * An integer in [min, max].
     * @param {number} min
     * @param {number} max
     */
    between: (min, max) => min + Math.floor((nextUint() / 4294967296) * (max - min + 1)),
    bool: () => (nextUint() & 1) === 1,
  };
}

/** @typedef {ReturnType<typeof createRandom>} Random */

/**
 * A seed for case `index` of a run seeded with `seed`, so one case can be replayed alone.
 * @param {number} seed
 * @param {number} index
 */
export function caseSeed(seed, index) {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * The integer in environment variable `name`, or `fallback` when it is unset or not a number.
 * @param {string} name
 * @param {number} fallback
 */
export function envInt(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    return fallback;
  }

  const n = Number(value);
  return Number.isSafeInteger(n) ? n : fallback;
}
