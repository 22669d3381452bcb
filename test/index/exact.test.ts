import { describe, expect, it } from "vitest";
import { denseTopK, gemmABt, maxSimAll, maxSimReference } from "../../src/index/exact.js";
import { floatToHalf, halfToFloat } from "../../src/util/float16.js";
import { clusteredVectors, randomOffsets } from "../../src/index/synthetic.js";
import { mulberry32 } from "../../src/util/random.js";
import { compareHits, docnoRanks, TopK } from "../../src/index/topk.js";

function randomMatrix(n: number, d: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n * d }, () => r() * 2 - 1);
}

describe("exact kernels", () => {
  it("gemmABt equals the triple loop (tolerance 1e-4 abs)", async () => {
    const a = randomMatrix(5, 7, 1);
    const b = randomMatrix(9, 7, 2);
    const c = await gemmABt(a, 5, b, 9, 7);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 9; j++) {
        let s = 0;
        for (let k = 0; k < 7; k++) s += a[i * 7 + k] * b[j * 7 + k];
        expect(c[i * 9 + j]).toBeCloseTo(s, 4);
      }
    }
  });

  it("maxSimAll equals sum_i max_j <q_i, d_j> for every query and document, empty documents score 0 (1e-4)", async () => {
    const d = 16;
    const docs = randomMatrix(200, d, 3);
    const offsets = randomOffsets(200, 0, 12, 4); // includes empty documents
    const qOff = Int32Array.from([0, 3, 4, 11]);
    const q = randomMatrix(11, d, 5);
    const scores = await maxSimAll({ dim: d, vectors: q, offsets: qOff }, docs, offsets, d);
    const nd = offsets.length - 1;
    let empties = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < nd; j++) {
        const ld = offsets[j + 1] - offsets[j];
        if (ld === 0) empties++;
        const ref = maxSimReference(
          q.subarray(qOff[i] * d),
          qOff[i + 1] - qOff[i],
          docs.subarray(offsets[j] * d),
          ld,
          d,
        );
        expect(scores[i * nd + j]).toBeCloseTo(ref, 4);
      }
    }
    expect(empties).toBeGreaterThan(0);
  });

  it("denseTopK returns the brute-force top-k in order", async () => {
    const d = 8;
    const { vectors } = clusteredVectors({ n: 500, dim: d, seed: 7 });
    const q = randomMatrix(3, d, 8);
    const top = await denseTopK(q, 3, vectors, 500, d, 10);
    for (let i = 0; i < 3; i++) {
      const all = Array.from({ length: 500 }, (_, j) => {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[i * d + c] * vectors[j * d + c];
        return { id: j, score: s };
      }).sort((a, b) => b.score - a.score);
      expect(top[i].map((h) => h.id)).toEqual(all.slice(0, 10).map((h) => h.id));
    }
  });

  it("TopK keeps the k best and breaks ties by the larger docno", () => {
    const docnos = ["a", "c", "b", "d"];
    const h = new TopK(2, docnoRanks(docnos));
    [1, 2, 2, 0.5].forEach((s, id) => h.push(id, s));
    // ids 1 (c) and 2 (b) tie at 2: c ranks first (docno descending)
    expect(h.sorted()).toEqual([
      { id: 1, score: 2 },
      { id: 2, score: 2 },
    ]);
    expect(
      [
        { docno: "b", score: 1 },
        { docno: "c", score: 1 },
        { docno: "a", score: 3 },
      ]
        .sort(compareHits)
        .map((x) => x.docno),
    ).toEqual(["a", "c", "b"]);
  });

  it("float16 round trip is within half-precision error (rel 1e-3)", () => {
    const x = Float32Array.from([0, 1, -1, 0.1234, 65504, 1e-5, -3.14159]);
    const y = halfToFloat(floatToHalf(x));
    x.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 1e-7));
  });
});
