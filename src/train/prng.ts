/**
 * Seeded randomness for training that a resumed run reproduces exactly: a small PRNG (mulberry32)
 * and an epoch permutation that is a pure function of (seed, epoch).
 */

/** mulberry32 (Tommy Ettinger, public domain): 32-bit state, uniform floats in [0, 1). */
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

/** Mixes several integers into one 32-bit seed (splitmix-style avalanche). */
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

/** Fisher-Yates permutation of 0..n-1 seeded by (seed, epoch): the same for the same pair, always. */
export function epochPermutation(seed: number, epoch: number, n: number): Uint32Array {
  const rng = new Mulberry32(mixSeed(seed, epoch));
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Seeded data order over n examples: example k of the stream (k = 0, 1, ...) is
 * perm(seed, floor(k / n))[k mod n], so a batch is a pure function of (seed, position) and a
 * resumed run sees exactly the batches the killed run would have.
 */
export class SeededShuffler {
  readonly n: number;
  readonly seed: number;
  private cache = new Map<number, Uint32Array>();
  constructor(n: number, seed: number) {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`SeededShuffler needs n > 0 examples, got ${n}`);
    this.n = n;
    this.seed = seed;
  }
  /** The permutation of one epoch. */
  epoch(e: number): Uint32Array {
    let p = this.cache.get(e);
    if (!p) {
      p = epochPermutation(this.seed, e, this.n);
      if (this.cache.size > 2) this.cache.clear();
      this.cache.set(e, p);
    }
    return p;
  }
  /** Example index at stream position k. */
  at(k: number): number {
    return this.epoch(Math.floor(k / this.n))[k % this.n];
  }
  /** Example indices of batch b (positions b*size .. b*size+size-1; batches may cross epochs). */
  batch(b: number, size: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < size; j++) out.push(this.at(b * size + j));
    return out;
  }
  /** Epoch and offset of stream position k (what a checkpoint records). */
  position(k: number): { epoch: number; offset: number } {
    return { epoch: Math.floor(k / this.n), offset: k % this.n };
  }
}
