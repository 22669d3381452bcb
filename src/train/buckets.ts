/**
 * Length-bucketed, seeded batches. Pairs of similar length share a batch so that little is padded
 * (docs/prototype.md: ~3x faster than random batches). Batch b is a pure function of (seed, b): the
 * epoch's permutation is cut into pools of `poolBatches` batches, each pool sorted by length and
 * cut into batches, and the batches of the epoch shuffled again. A resumed run recomputes exactly
 * the batches the killed run would have seen.
 */
import { Mulberry32, epochPermutation, mixSeed } from "./prng.js";

export class BucketSampler {
  readonly batchesPerEpoch: number;
  private cache: { epoch: number; batches: number[][] } | null = null;

  /**
   * @param lengths  length (e.g. in tokens) of each example; examples of length 0 are never drawn
   * @param batchSize examples per batch (the last partial batch of an epoch is dropped)
   * @param seed     data-order seed
   * @param poolBatches how many batches are sorted together (larger: less padding, less randomness)
   */
  constructor(
    private readonly lengths: ArrayLike<number>,
    readonly batchSize: number,
    readonly seed: number,
    private readonly poolBatches = 64,
  ) {
    const usable = Array.from(lengths).filter((l) => l > 0).length;
    this.batchesPerEpoch = Math.floor(usable / batchSize);
    if (this.batchesPerEpoch < 1) {
      throw new RangeError(`BucketSampler: ${usable} usable examples cannot fill one batch of ${batchSize}`);
    }
  }

  /** Example indices of batch `b` (b = 0, 1, ... across epochs). */
  batch(b: number): number[] {
    const epoch = Math.floor(b / this.batchesPerEpoch);
    if (this.cache?.epoch !== epoch) this.cache = { epoch, batches: this.epochBatches(epoch) };
    return this.cache.batches[b % this.batchesPerEpoch];
  }

  private epochBatches(epoch: number): number[][] {
    const perm = Array.from(epochPermutation(this.seed, epoch, this.lengths.length)).filter(
      (i) => this.lengths[i] > 0,
    );
    const poolSize = this.batchSize * this.poolBatches;
    const batches: number[][] = [];
    for (let start = 0; start < perm.length; start += poolSize) {
      const pool = perm.slice(start, start + poolSize);
      // stable sort by length: ties keep the permutation's order, so the result is deterministic
      pool.sort((x, y) => this.lengths[x] - this.lengths[y]);
      for (let i = 0; i + this.batchSize <= pool.length; i += this.batchSize)
        batches.push(pool.slice(i, i + this.batchSize));
    }
    const rng = new Mulberry32(mixSeed(this.seed, epoch, 0x5eed));
    for (let i = batches.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [batches[i], batches[j]] = [batches[j], batches[i]];
    }
    return batches.slice(0, this.batchesPerEpoch);
  }
}
