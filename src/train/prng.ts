/**
 * Seeded randomness for training that a resumed run reproduces exactly: a small PRNG (mulberry32)
 * and an epoch permutation that is a pure function of (seed, epoch).
 */
import { Mulberry32, mixSeed } from "../util/random.js";

export { Mulberry32, mixSeed };

/** Fisher-Yates permutation of 0..n-1 seeded by (seed, epoch): the same for the same pair, always. */
/**
 * @example
 * ```ts
 * import { epochPermutation } from "xlir";
 * const p = epochPermutation(13, 0, 5);
 * console.assert([...p].sort().join() === "0,1,2,3,4" && p.join() === epochPermutation(13, 0, 5).join());
 * ```
 */
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
 * @example
 * ```ts
 * import { SeededShuffler } from "xlir";
 * const s = new SeededShuffler(10, 42);
 * console.assert(s.batch(3, 4).join() === new SeededShuffler(10, 42).batch(3, 4).join());
 * ```
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
