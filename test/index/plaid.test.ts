import { readdir, stat, mkdtemp, rm, truncate, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { buildVectorIndex, writeVectorIndex } from "../../src/index/build.js";
import { MultiVectorIndex } from "../../src/index/multi.js";
import {
  decompress,
  defaultCentroids,
  kmeans,
  packResiduals,
  PlaidIndex,
  residualBuckets,
  type ResidualCodec,
} from "../../src/index/plaid.js";
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
