import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeVectorIndex } from "../../src/index/write.js";
import { openVectorIndex } from "../../src/index/registry.js";
import { clusteredVectors, randomOffsets } from "../../src/index/synthetic.js";
import { recallAtK } from "../../src/search/bench.js";

const root = await mkdtemp(join(tmpdir(), "xlir-ann-"));
afterAll(() => rm(root, { recursive: true, force: true }));

const dim = 32;
const nTokens = 6000;
// documents and queries from the same clusters; queries are the tail of one draw
const all = clusteredVectors({ n: nTokens + 40 * 8, dim, clusters: 60, spread: 0.15, seed: 11 }).vectors;
const tokens = all.slice(0, nTokens * dim);
const offsets = randomOffsets(nTokens, 10, 40, 12);
const docnos = Array.from({ length: offsets.length - 1 }, (_, i) => `doc${i}`);
const queries = {
  dim,
  vectors: all.slice(nTokens * dim),
  offsets: Int32Array.from({ length: 41 }, (_, i) => i * 8),
};

describe("approximate search recall on synthetic clustered vectors", () => {
  it("multi (HNSW candidates + exact MaxSim) reaches recall@10 >= 0.95 of exhaustive MaxSim", async () => {
    for (const kind of ["multi-exact", "multi"]) {
      await writeVectorIndex(join(root, kind), {
        kind,
        encoderHash: "synthetic",
        dim,
        vectors: tokens,
        offsets,
        docnos,
        options: { tokenK: 32 },
      });
    }
    const exact = await (await openVectorIndex(join(root, "multi-exact"))).search(queries, 10);
    const approx = await (await openVectorIndex(join(root, "multi"))).search(queries, 10);
    const ids = (r: typeof exact) => r.map((h) => h.map((x) => x.docno));
    expect(recallAtK(ids(exact), ids(approx), 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("single-hnsw reaches recall@10 >= 0.95 of exact inner-product search", async () => {
    const n = 3000;
    const one = Int32Array.from({ length: n + 1 }, (_, i) => i);
    const names = Array.from({ length: n }, (_, i) => `d${i}`);
    for (const kind of ["single", "single-hnsw"]) {
      await writeVectorIndex(join(root, kind), {
        kind,
        encoderHash: "synthetic",
        dim,
        vectors: tokens.slice(0, n * dim),
        offsets: one,
        docnos: names,
      });
    }
    const q = { dim, vectors: queries.vectors, offsets: Int32Array.from({ length: 321 }, (_, i) => i) };
    const exact = await (await openVectorIndex(join(root, "single"))).search(q, 10);
    const approx = await (await openVectorIndex(join(root, "single-hnsw"))).search(q, 10);
    const ids = (r: typeof exact) => r.map((h) => h.map((x) => x.docno));
    expect(recallAtK(ids(exact), ids(approx), 10)).toBeGreaterThanOrEqual(0.95);
    // HNSW scores are the exact inner products of the documents it returns (1e-5)
    const exactScore = new Map(exact[0].map((h) => [h.docno, h.score]));
    for (const h of approx[0])
      if (exactScore.has(h.docno)) expect(h.score).toBeCloseTo(exactScore.get(h.docno) as number, 5);
  });

  it("recallAtK is the mean overlap fraction", () => {
    expect(
      recallAtK(
        [
          [1, 2],
          [3, 4],
        ],
        [
          [2, 9],
          [3, 4],
        ],
        2,
      ),
    ).toBeCloseTo(0.75, 12);
  });
});

describe("multi-vector candidate pruning", () => {
  it("keeps the documents with the best optimistic MaxSim estimate from the ANN hits", async () => {
    const { MultiVectorIndex } = await import("../../src/index/multi.js");
    const { Hnsw } = await import("../../src/index/hnsw.js");
    // 3 documents of 2 tokens each (token rows 0-1 -> doc 0, 2-3 -> doc 1, 4-5 -> doc 2)
    const vecs = clusteredVectors({ n: 6, dim: 4, seed: 1 }).vectors;
    const m = {
      formatVersion: 1,
      kind: "multi",
      encoderHash: "x",
      dim: 4,
      docCount: 3,
      vectorCount: 6,
      storage: "float32" as const,
      buildParams: {},
      createdBy: "t",
      createdAt: "",
    };
    const index = new MultiVectorIndex(
      "mem",
      m,
      ["a", "b", "c"],
      vecs,
      Int32Array.from([0, 2, 4, 6]),
      Hnsw.build(vecs, 6, 4),
      2,
      1,
    );
    // 2 query tokens x 2 hits each, best first; floors: row 0 -> 0.5, row 1 -> 0.2
    const ids = Int32Array.from([0, 2, 4, 3]);
    const scores = Float32Array.from([0.9, 0.5, 0.8, 0.2]);
    // estimates: doc0 = 0.9 + 0.2 (floor) = 1.1; doc1 = 0.5 + 0.2 = 0.7; doc2 = 0.5 (floor) + 0.8 = 1.3
    expect([...index.candidates(ids, scores, 0, 2, 2, 1)]).toEqual([2]);
    expect([...index.candidates(ids, scores, 0, 2, 2, 2)]).toEqual([0, 2]);
    expect([...index.candidates(ids, scores, 0, 2, 2, 10)]).toEqual([0, 1, 2]);
  });
});
