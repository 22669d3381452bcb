/**
 * Seeded pseudo-random numbers shared by the whole library (every random function in xlir takes an
 * explicit seed): mulberry32, a seed mixer, and xorshift32 (whose draws scripts/dev/ot_goldens.py
 * and the loss tests reproduce bit for bit). Not cryptographic.
 */

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, uniform floats in [0, 1).
 * @example
 * ```ts
 * import { Mulberry32 } from "xlir";
 * const a = new Mulberry32(7);
 * const b = new Mulberry32(7);
 * console.assert(a.next() === b.next() && a.int(10) < 10);
 * ```
 */
export class Mulberry32 {
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Next uint32. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * Mixes several integers into one 32-bit seed (splitmix-style avalanche).
 * @example
 * ```ts
 * import { mixSeed } from "xlir";
 * console.assert(mixSeed(13, 0) === mixSeed(13, 0) && mixSeed(13, 0) !== mixSeed(13, 1));
 * ```
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h ^ Math.floor(p / 4294967296), 0x27d4eb2f) >>> 0;
  }
  return h >>> 0;
}

/**
 * The same generator as a function returning uniform numbers in [0, 1).
 * @example
 * ```ts
 * import { mulberry32, Mulberry32 } from "xlir";
 * const next = mulberry32(7);
 * const twin = new Mulberry32(7);
 * const xs = [next(), next(), next()];
 * console.assert(xs.every((x) => x >= 0 && x < 1 && x === twin.next())); // the class's stream
 * ```
 */
export function mulberry32(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
}

/**
 * xorshift32 (Marsaglia 2003) seeded by seed * 0x9E3779B1 + 1 (mod 2^32, 0 mapped to 1), 8 draws
 * discarded; doubles take 53 bits from two draws. Kept beside mulberry32 because committed goldens
 * (scripts/dev/ot_goldens.py) reproduce its exact stream.
 */
export class XorShift32 {
  private x: number;
  constructor(seed: number) {
    this.x = (Math.imul(seed >>> 0, 0x9e3779b1) + 1) >>> 0;
    if (this.x === 0) this.x = 1;
    for (let k = 0; k < 8; k++) this.nextUint32();
  }
  nextUint32(): number {
    let x = this.x;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.x = x;
    return x;
  }
  /** Uniform double in [0, 1) with 53 random bits: ((x1 >> 5) * 2^26 + (x2 >> 6)) / 2^53. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}
