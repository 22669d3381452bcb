/**
 * Length-bucketed, seeded batches. Pairs of similar length share a batch so that little is padded
 * (docs/prototype.md: ~3x faster than random batches). Batch b is a pure function of (seed, b): the
 * epoch's permutation is cut into pools of `poolBatches` batches, each pool sorted by length and
 * cut into batches, and the batches of the epoch shuffled again. A resumed run recomputes exactly
 * the batches the killed run would have seen.
 *
 * With `groups` (a group per example, e.g. a k-means cluster of the English side) each batch is
 * drawn from one group where the group can fill it: the in-batch negatives of a contrastive loss
 * are then topically close to the positive (topic-aware sampling, as TAS-B's balanced clusters;
 * Hofstätter et al., SIGIR 2021). The same pools and length sort apply inside each group; the
 * tails of the groups (fewer than a batch left) are pooled and batched together, so an epoch has
 * as many batches as without groups.
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
   * @param groups   a non-negative integer group per example: batches drawn from one group each
   */
  constructor(
    private readonly lengths: ArrayLike<number>,
    readonly batchSize: number,
    readonly seed: number,
    private readonly poolBatches = 64,
    private readonly groups?: ArrayLike<number>,
  ) {
    const usable = Array.from(lengths).filter((l) => l > 0).length;
    this.batchesPerEpoch = Math.floor(usable / batchSize);
    if (this.batchesPerEpoch < 1) {
      throw new RangeError(`BucketSampler: ${usable} usable examples cannot fill one batch of ${batchSize}`);
    }
    if (groups && groups.length !== lengths.length)
      throw new RangeError(`BucketSampler: ${groups.length} groups for ${lengths.length} examples`);
    if (groups && !Array.from(groups).every((g) => Number.isInteger(g) && g >= 0))
      throw new RangeError("BucketSampler: groups must be non-negative integers");
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
    const batches: number[][] = [];
    if (!this.groups) {
      this.cut(perm, batches);
    } else {
      // each group's examples in the permutation's order, cut alone; the tails batched together
      const byGroup = new Map<number, number[]>();
      for (const i of perm) {
        const g = this.groups[i];
        let list = byGroup.get(g);
        if (!list) byGroup.set(g, (list = []));
        list.push(i);
      }
      const tails: number[] = [];
      for (const g of [...byGroup.keys()].sort((a, b) => a - b)) {
        const list = byGroup.get(g) as number[];
        const whole = list.length - (list.length % this.batchSize);
        this.cut(list.slice(0, whole), batches);
        tails.push(...list.slice(whole));
      }
      this.cut(tails, batches);
    }
    const rng = new Mulberry32(mixSeed(this.seed, epoch, 0x5eed));
    for (let i = batches.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [batches[i], batches[j]] = [batches[j], batches[i]];
    }
    return batches.slice(0, this.batchesPerEpoch);
  }

  /** Cuts `order` into pools, sorts each pool by length and appends its full batches. */
  private cut(order: readonly number[], batches: number[][]): void {
    const poolSize = this.batchSize * this.poolBatches;
    for (let start = 0; start < order.length; start += poolSize) {
      const pool = order.slice(start, start + poolSize);
      // stable sort by length: ties keep the permutation's order, so the result is deterministic
      pool.sort((x, y) => this.lengths[x] - this.lengths[y]);
      for (let i = 0; i + this.batchSize <= pool.length; i += this.batchSize)
        batches.push(pool.slice(i, i + this.batchSize));
    }
  }
}
