import { readdir, stat, mkdtemp, rm, truncate, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { writeVectorIndex } from "../../src/index/write.js";
import { MultiVectorIndex } from "../../src/index/multi.js";
import { PlaidIndex } from "../../src/index/plaid.js";
import {
  decompress,
  defaultCentroids,
  kmeans,
  packResiduals,
  residualBuckets,
  type ResidualCodec,
} from "../../src/index/plaid-codec.js";
import { openVectorIndex } from "../../src/index/registry.js";
import { clusteredVectors, normalizeRows, randomOffsets } from "../../src/index/synthetic.js";
import { recallAtK } from "../../src/search/bench.js";
import { Searcher } from "../../src/search/searcher.js";
import { Mulberry32 } from "../../src/util/random.js";
import { HashEncoder, toyCorpus } from "./hash-encoder.js";

const root = await mkdtemp(join(tmpdir(), "xlir-plaid-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const dim = 64;
const nTokens = 12000;
const all = clusteredVectors({ n: nTokens + 60 * 12, dim, clusters: 200, spread: 0.05, seed: 5 }).vectors;
const tokens = all.slice(0, nTokens * dim);
const offsets = randomOffsets(nTokens, 20, 60, 6);
const docnos = Array.from({ length: offsets.length - 1 }, (_, i) => `doc${String(i).padStart(4, "0")}`);
const queries = {
  dim,
  vectors: all.slice(nTokens * dim),
  offsets: Int32Array.from({ length: 61 }, (_, i) => i * 12),
};

async function dirBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const f of await readdir(dir)) sum += (await stat(join(dir, f))).size;
  return sum;
}

describe("residual codec (ColBERTv2)", () => {
  it("bucket cutoffs and weights are the quantiles i/2^b and (i+0.5)/2^b", () => {
    const v = Float32Array.from({ length: 101 }, (_, i) => i / 100); // 0, 0.01, ..., 1
    const { cutoffs, weights } = residualBuckets(v, 2);
    expect(cutoffs.map((x) => +x.toFixed(6))).toEqual([0.25, 0.5, 0.75]);
    expect(weights.map((x) => +x.toFixed(6))).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(residualBuckets(v, 1).cutoffs.map((x) => +x.toFixed(6))).toEqual([0.5]);
  });

  it("pooled-mean: the same cutoffs, bucket values the means of the values in each bucket", () => {
    const v = Float32Array.from({ length: 101 }, (_, i) => i / 100);
    const { cutoffs, weights } = residualBuckets(v, 2, "pooled-mean");
    expect(cutoffs.map((x) => +x.toFixed(6))).toEqual([0.25, 0.5, 0.75]);
    // buckets (q = #{cutoffs < v}): [0, .25], (.25, .5], (.5, .75], (.75, 1]
    const mean = (a: number, b: number) => (a + b) / 2 / 100;
    expect(weights.map((x) => +x.toFixed(6))).toEqual([
      mean(0, 25),
      mean(26, 50),
      mean(51, 75),
      mean(76, 100),
    ]);
  });

  it("per-dim: cutoffs at each dimension's quantiles, values its bucket means; a smaller error than pooled", () => {
    // dimension 0 ~ U(0, 1) on a grid, dimension 1 = 4 x dimension 0 - 2, dimension 2 ~ N(0, 0.01^2),
    // dimension 3 = 1 - dimension 0 (4 dimensions x 2 bits = one byte a row)
    const n = 4001;
    const d = 4;
    const rand = new Mulberry32(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand.next())) * Math.cos(2 * Math.PI * rand.next());
    const x = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      x[r * d] = r / (n - 1);
      x[r * d + 1] = (4 * r) / (n - 1) - 2;
      x[r * d + 2] = 0.01 * normal();
      x[r * d + 3] = 1 - r / (n - 1);
    }
    const { cutoffs, weights } = residualBuckets(x, 2, "per-dim", d);
    expect(cutoffs.length).toBe(3 * d);
    expect(weights.length).toBe(4 * d);
    for (let q = 0; q < 3; q++) {
      expect(cutoffs[q]).toBeCloseTo((q + 1) / 4, 6);
      expect(cutoffs[3 + q]).toBeCloseTo((4 * (q + 1)) / 4 - 2, 5);
      // N(0, s^2) quartiles: -0.6745 s, 0, 0.6745 s (sampling error ~ 2 % of s at n = 4001)
      expect(cutoffs[6 + q] / 0.01).toBeCloseTo([-0.6745, 0, 0.6745][q], 1);
      expect(cutoffs[9 + q]).toBeCloseTo((q + 1) / 4, 6);
    }
    for (let q = 0; q < 4; q++) {
      expect(weights[q]).toBeCloseTo((q + 0.5) / 4, 3); // uniform: the bucket midpoint
      expect(weights[4 + q]).toBeCloseTo(q + 0.5 - 2, 2);
    }
    // N(0, s^2) bucket means: +-1.2711 s (outer), +-0.3247 s (inner)
    expect(weights.slice(8, 12).map((w) => +(w / 0.01).toFixed(1))).toEqual([-1.3, -0.3, 0.3, 1.3]);

    // round trip: each value's bucket value lies within its bucket; squared error below pooled's
    const zero = new Float32Array(d);
    const err = (codec: ResidualCodec) => {
      const packed = packResiduals(codec, x, new Int32Array(n), n);
      const m1 = 3;
      const per = codec.cutoffs.length === m1 ? 0 : 1;
      let sq = 0;
      for (let r = 0; r < n; r++)
        for (let j = 0; j < d; j++) {
          const q = (packed[r] >> (2 * j)) & 3;
          const lo = q === 0 ? -Infinity : codec.cutoffs[j * per * m1 + q - 1];
          const hi = q === 3 ? Infinity : codec.cutoffs[j * per * m1 + q];
          const v = x[r * d + j];
          expect(v > lo && v <= hi).toBe(true);
          const w = codec.weights[j * per * 4 + q];
          if (per) {
            // a bucket mean lies in its bucket; inside the interior buckets the error is below the width
            expect(w > lo && w <= hi).toBe(true);
            if (q > 0 && q < 3) expect(Math.abs(v - w)).toBeLessThanOrEqual(hi - lo);
          }
          sq += (v - w) ** 2;
        }
      return sq / (n * d);
    };
    const base = { dim: d, nbits: 2, centroids: zero };
    const perDimError = err({ ...base, cutoffs, weights });
    const pooledError = err({ ...base, ...residualBuckets(x, 2, "pooled", d) });
    // per dimension: uniform buckets of width w have error w^2 / 12 (w = 1/4 and 1), N(0, s^2) 0.1394 s^2
    expect(perDimError).toBeCloseTo((2 / 16 / 12 + 1 / 12 + 0.01 ** 2 * 0.1394) / 4, 3);
    expect(perDimError).toBeLessThan(pooledError / 2);
    // decompression looks each dimension's value up in its own row: normalise(centroid + w_j[q_j])
    const codec = { ...base, cutoffs, weights };
    const packed = packResiduals(codec, x, new Int32Array(n), n);
    const y = decompress(codec, new Int32Array(n), packed, n);
    for (const r of [0, 1000, 2500, 4000]) {
      const e = Float32Array.from({ length: d }, (_, j) => weights[j * 4 + ((packed[r] >> (2 * j)) & 3)]);
      normalizeRows(e, d);
      for (let j = 0; j < d; j++) expect(y[r * d + j]).toBeCloseTo(e[j], 6);
    }
  });

  it("packs b bits per dimension and decompresses to normalise(centroid + bucket weight)", () => {
    const d = 8;
    const centroids = normalizeRows(
      Float32Array.from({ length: 2 * d }, (_, i) => ((i * 7) % 5) - 2),
      d,
    );
    const codec: ResidualCodec = {
      dim: d,
      nbits: 2,
      centroids,
      cutoffs: [-0.1, 0, 0.1],
      weights: [-0.2, -0.05, 0.05, 0.2],
    };
    const rand = new Mulberry32(3);
    const x = Float32Array.from({ length: 3 * d }, () => rand.next() - 0.5);
    const codes = Int32Array.from([1, 0, 1]);
    const packed = packResiduals(codec, x, codes, 3);
    expect(packed.length).toBe(3 * 2); // 8 dims x 2 bits = 2 bytes a row
    const y = decompress(codec, codes, packed, 3);
    for (let r = 0; r < 3; r++) {
      const expected = new Float32Array(d);
      for (let j = 0; j < d; j++) {
        const res = x[r * d + j] - centroids[codes[r] * d + j];
        const q = res > 0.1 ? 3 : res > 0 ? 2 : res > -0.1 ? 1 : 0;
        expected[j] = centroids[codes[r] * d + j] + codec.weights[q];
      }
      normalizeRows(expected, d);
      for (let j = 0; j < d; j++) expect(y[r * d + j]).toBeCloseTo(expected[j], 6);
    }
  });

  it("k-means: unit centroids, each the normalised mean of its points; ColBERTv2's centroid count", async () => {
    const { vectors } = clusteredVectors({ n: 2000, dim: 16, clusters: 8, spread: 0.05, seed: 1 });
    const c = await kmeans(vectors, 2000, 16, 8, 10, new Mulberry32(2));
    for (let z = 0; z < 8; z++) {
      let s = 0;
      for (let j = 0; j < 16; j++) s += c[z * 16 + j] ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 5);
    }
    expect(defaultCentroids(768_000)).toBe(8192);
    expect(defaultCentroids(100)).toBe(100);
  });
});

describe("multi-plaid index", () => {
  it("candidates lose nothing against exhaustive search on decompressed vectors; recall and size against float32", async () => {
    await writeVectorIndex(join(root, "exact"), {
      kind: "multi-exact",
      encoderHash: "synthetic",
      dim,
      vectors: tokens,
      offsets,
      docnos,
    });
    const exact = await (await openVectorIndex(join(root, "exact"))).search(queries, 10);
    const ids = (r: typeof exact) => r.map((h) => h.map((x) => x.docno));
    const recall: Record<number, number> = {};
    for (const nbits of [1, 2, 4]) {
      const dir = join(root, `plaid${nbits}`);
      const { manifest } = await writeVectorIndex(dir, {
        kind: "multi-plaid",
        encoderHash: "synthetic",
        dim,
        vectors: tokens,
        offsets,
        docnos,
        options: { nbits, centroids: 256 },
      });
      expect(manifest.buildParams).toMatchObject({ nbits, centroids: 256 });
      const index = (await openVectorIndex(dir)) as PlaidIndex;
      recall[nbits] = recallAtK(ids(exact), ids(await index.search(queries, 10)), 10);
      // the quantisation ceiling: every document decompressed and scored exhaustively
      const all = index.decompressDocs(Int32Array.from({ length: docnos.length }, (_, i) => i));
      const ceiling = new MultiVectorIndex(
        "mem",
        { ...manifest, kind: "multi-exact" },
        docnos,
        all.rows,
        all.offsets,
        null,
        0,
      );
      const ceilingRecall = recallAtK(ids(exact), ids(await ceiling.search(queries, 10)), 10);
      expect(recall[nbits]).toBeGreaterThanOrEqual(ceilingRecall - 0.01);
      const ratio = (nTokens * dim * 4) / (await dirBytes(dir));
      expect(ratio).toBeGreaterThanOrEqual(nbits === 4 ? 5 : 7); // 4 bits at dim 64: 34 bytes a token + the inverted file
    }
    // on this synthetic data (noise ~ 0.4 of the centroid norm; seeded, measured 2 bits 0.87, 4 bits 0.945)
    expect(recall[1]).toBeLessThan(recall[2]);
    expect(recall[2]).toBeGreaterThanOrEqual(0.85);
    expect(recall[4]).toBeGreaterThanOrEqual(0.93);
  }, 300_000);

  it("builds from an encoder through Searcher, in parts too, and refuses a truncated residual file", async () => {
    const enc = new HashEncoder(32);
    const docs = toyCorpus(150);
    const out = join(root, "enc");
    await buildVectorIndex({ kind: "multi-plaid", out, encoder: enc, docs, centroids: 64, shardSize: 40 });
    await buildVectorIndex({ kind: "multi-exact", out: join(root, "enc-exact"), encoder: enc, docs });
    const qs = docs.slice(0, 20).map((d, i) => ({ qid: `q${i}`, text: d.title }));
    const a = await (await Searcher.open(out, enc)).search(qs, 10);
    const b = await (await Searcher.open(join(root, "enc-exact"), enc)).search(qs, 10);
    expect(a.get("q0")?.length).toBe(10);
    const key = (r: typeof a) => qs.map((q) => (r.get(q.qid) ?? []).map((h) => h.docno));
    expect(recallAtK(key(b), key(a), 10)).toBeGreaterThanOrEqual(0.8);
    for (let i = 1; i >= 0; i--)
      await buildVectorIndex({
        kind: "multi-plaid",
        out: join(root, "enc-parts"),
        encoder: enc,
        docs,
        part: { index: i, count: 2 },
        centroids: 32,
      });
    const p = await (await Searcher.open(join(root, "enc-parts"), enc)).search(qs, 10);
    expect(recallAtK(key(b), key(p), 10)).toBeGreaterThanOrEqual(0.8);
    await truncate(join(out, "residuals.bin"), 10);
    const err = await openVectorIndex(out).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as XlirError).code).toBe("CORRUPT");
    expect((err as XlirError).message).toContain("residuals.bin");
  }, 300_000);

  it("refuses a manifest whose codec is damaged", async () => {
    const m = join(root, "plaid1", "manifest.json");
    await writeFile(m, (await readFile(m, "utf8")).replace('"nbits": 1', '"nbits": 3'));
    const err = await openVectorIndex(join(root, "plaid1")).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as XlirError).code).toBe("CORRUPT");
    expect((err as XlirError).message).toContain("nbits");
  });
});
