import { describe, expect, it } from "vitest";
import { BucketSampler } from "../../src/train/buckets.js";
import { Mulberry32 } from "../../src/util/random.js";

const rnd = new Mulberry32(5);
const N = 1000;
const lengths = Array.from({ length: N }, (_, i) => (i % 97 === 0 ? 0 : 1 + rnd.int(60)));
const usable = lengths.filter((l) => l > 0).length;
// 7 groups of uneven sizes
const groups = Array.from({ length: N }, (_, i) => ((i * 7919) % 23) % 7);

function epoch(s: BucketSampler, e: number): number[][] {
  return Array.from({ length: s.batchesPerEpoch }, (_, b) => s.batch(e * s.batchesPerEpoch + b));
}

describe("BucketSampler", () => {
  it("draws every usable example at most once an epoch, never one of length 0, in batches of similar length", () => {
    const s = new BucketSampler(lengths, 16, 3, 8);
    expect(s.batchesPerEpoch).toBe(Math.floor(usable / 16));
    const seen = epoch(s, 0).flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(s.batchesPerEpoch * 16);
    expect(seen.every((i) => lengths[i] > 0)).toBe(true);
    // length-sorted pools: the mean spread of a batch is far below a random batch's
    const spread = (b: number[]) =>
      Math.max(...b.map((i) => lengths[i])) - Math.min(...b.map((i) => lengths[i]));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(epoch(s, 0).map(spread))).toBeLessThan(15);
  });

  it("is a pure function of (seed, batch): a fresh sampler gives the same batches; another epoch or seed others", () => {
    const a = new BucketSampler(lengths, 16, 3, 8);
    const b = new BucketSampler(lengths, 16, 3, 8);
    expect(a.batch(a.batchesPerEpoch + 5)).toEqual(b.batch(b.batchesPerEpoch + 5));
    expect(epoch(a, 1)).not.toEqual(epoch(a, 0));
    expect(epoch(new BucketSampler(lengths, 16, 4, 8), 0)).not.toEqual(epoch(a, 0));
  });

  it("with groups: as many batches an epoch, each example once, and every batch but the pooled tails from one group", () => {
    const B = 16;
    const s = new BucketSampler(lengths, B, 3, 8, groups);
    expect(s.batchesPerEpoch).toBe(Math.floor(usable / B));
    for (const e of [0, 1]) {
      const batches = epoch(s, e);
      const seen = batches.flat();
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(s.batchesPerEpoch * B);
      const mixed = batches.filter((b) => new Set(b.map((i) => groups[i])).size > 1).length;
      // at most one tail per group (< B examples each) left to pool: at most 7 tail examples per batch of them
      expect(mixed).toBeLessThanOrEqual(Math.ceil((7 * (B - 1)) / B));
      // the group sizes' whole batches all come from one group
      let whole = 0;
      for (let g = 0; g < 7; g++)
        whole += Math.floor(lengths.filter((l, i) => l > 0 && groups[i] === g).length / B);
      expect(batches.length - mixed).toBeGreaterThanOrEqual(whole);
    }
    expect(new BucketSampler(lengths, B, 3, 8, groups).batch(9)).toEqual(s.batch(9));
    // without groups the batches mix the groups
    const plain = epoch(new BucketSampler(lengths, B, 3, 8), 0);
    expect(plain.filter((b) => new Set(b.map((i) => groups[i])).size > 1).length).toBeGreaterThan(
      plain.length / 2,
    );
  });

  it("refuses groups that do not match the examples", () => {
    expect(() => new BucketSampler(lengths, 16, 3, 8, groups.slice(1))).toThrow(
      /999 groups for 1000 examples/,
    );
    expect(
      () =>
        new BucketSampler(
          lengths,
          16,
          3,
          8,
          groups.map((g) => g - 0.5),
        ),
    ).toThrow(/non-negative integers/);
  });
});
