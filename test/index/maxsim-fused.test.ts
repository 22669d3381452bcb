import { describe, expect, it } from "vitest";
import { maxSimReference } from "../../src/index/exact.js";
import { FusedMaxSim } from "../../src/index/maxsim-fused.js";
import { docnoRanks } from "../../src/index/topk.js";

/** Deterministic pseudo-random unit rows. */
function rows(n: number, d: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += out[r * d + k] ** 2;
    for (let k = 0; k < d; k++) out[r * d + k] /= Math.sqrt(norm);
  }
  return out;
}

describe("FusedMaxSim (exhaustive MaxSim on ONNX Runtime)", () => {
  const d = 16;
  // documents of very different lengths (1..70 tokens) land in different padding buckets
  const lengths = Array.from({ length: 90 }, (_, i) => 1 + ((i * 37) % 70));
  const offsets = new Int32Array(lengths.length + 1);
  lengths.forEach((l, i) => (offsets[i + 1] = offsets[i] + l));
  const docs = rows(offsets[lengths.length], d, 3);
  const qLengths = [1, 5, 12, 3];
  const qOffsets = new Int32Array(qLengths.length + 1);
  qLengths.forEach((l, i) => (qOffsets[i + 1] = qOffsets[i] + l));
  const queries = { dim: d, vectors: rows(qOffsets[qLengths.length], d, 11), offsets: qOffsets };

  it("returns the exact top-k of s(q,d) = sum_i max_j <q_i,d_j> (scores within 1e-5, same documents)", async () => {
    const fused = new FusedMaxSim(docs, offsets, d);
    const hits = await fused.search(queries, 7);
    for (let q = 0; q < qLengths.length; q++) {
      const qv = queries.vectors.subarray(qOffsets[q] * d, qOffsets[q + 1] * d);
      const ref = lengths
        .map((len, j) => ({
          id: j,
          score: maxSimReference(qv, qLengths[q], docs.subarray(offsets[j] * d, offsets[j + 1] * d), len, d),
        }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 7);
      expect(hits[q].map((h) => h.id)).toEqual(ref.map((r) => r.id));
      hits[q].forEach((h, i) => expect(Math.abs(h.score - ref[i].score)).toBeLessThan(1e-5));
    }
  });

  it("breaks ties by docno descending, like trec_eval", async () => {
    // three identical one-token documents: equal scores, so the larger docno must come first
    const same = new Float32Array([1, 0, 1, 0, 1, 0]);
    const fused = new FusedMaxSim(same, Int32Array.from([0, 1, 2, 3]), 2, docnoRanks(["b", "c", "a"]));
    const hits = await fused.search(
      { dim: 2, vectors: new Float32Array([1, 0]), offsets: Int32Array.from([0, 1]) },
      2,
    );
    expect(hits[0].map((h) => h.id)).toEqual([1, 0]); // "c", then "b"
  });
});
