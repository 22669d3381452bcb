/**
 * Exact scoring kernels. Dot products run as one native GEMM on ONNX Runtime (graphs from
 * onnx-graph.ts); MaxSim's per-document max and sum run in a tight JS loop over the GEMM output.
 */
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import type { TokenVectors } from "../models/types.js";
import { buildOnnxModel, ONNX_FLOAT, ONNX_INT64 } from "./onnx-graph.js";
import { TopK } from "./topk.js";

/** Largest GEMM output block, in floats (64 MiB). */
const MAX_BLOCK = 1 << 24;

let gemmTopKSession: Promise<ort.InferenceSession> | null = null;
let gemmSession: Promise<ort.InferenceSession> | null = null;

function sessionOptions(): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: Math.max(1, availableParallelism()), interOpNumThreads: 1, graphOptimizationLevel: "all" };
}

function getGemmTopK(): Promise<ort.InferenceSession> {
  gemmTopKSession ??= ort.InferenceSession.create(
    buildOnnxModel(
      [
        { op: "Gemm", inputs: ["Q", "D"], outputs: ["S"], intAttrs: { transB: 1 } },
        { op: "TopK", inputs: ["S", "K"], outputs: ["V", "I"], intAttrs: { axis: -1, largest: 1, sorted: 1 } },
      ],
      [
        { name: "Q", elemType: ONNX_FLOAT, shape: ["nq", "d"] },
        { name: "D", elemType: ONNX_FLOAT, shape: ["n", "d"] },
        { name: "K", elemType: ONNX_INT64, shape: [1] },
      ],
      [
        { name: "V", elemType: ONNX_FLOAT, shape: ["nq", "k"] },
        { name: "I", elemType: ONNX_INT64, shape: ["nq", "k"] },
      ],
    ),
    sessionOptions(),
  );
  return gemmTopKSession;
}

function getGemm(): Promise<ort.InferenceSession> {
  gemmSession ??= ort.InferenceSession.create(
    buildOnnxModel(
      [{ op: "Gemm", inputs: ["A", "B"], outputs: ["C"], intAttrs: { transB: 1 } }],
      [
        { name: "A", elemType: ONNX_FLOAT, shape: ["m", "d"] },
        { name: "B", elemType: ONNX_FLOAT, shape: ["n", "d"] },
      ],
      [{ name: "C", elemType: ONNX_FLOAT, shape: ["m", "n"] }],
    ),
    sessionOptions(),
  );
  return gemmSession;
}

/**
 * C = A B^T on ONNX Runtime.  A: [m, d], B: [n, d] (row-major) -> C: [m, n].
 */
export async function gemmABt(a: Float32Array, m: number, b: Float32Array, n: number, d: number): Promise<Float32Array> {
  const s = await getGemm();
  const r = await s.run({ A: new ort.Tensor("float32", a.subarray(0, m * d), [m, d]), B: new ort.Tensor("float32", b.subarray(0, n * d), [n, d]) });
  return r.C.data as Float32Array;
}

/**
 * Exact inner-product top-k: for each query q_i, the k documents with the largest <q_i, x_j>.
 * queries: [nq, d], docs: [n, d] -> per query, up to k {id, score} best first. Documents are
 * processed in blocks (GEMM + TopK natively, merged with a heap); tieRank breaks equal scores
 * (larger rank first), but a tie exactly at the k-th place of a block may keep either document.
 */
export async function denseTopK(
  queries: Float32Array, nq: number, docs: Float32Array, n: number, d: number, k: number, tieRank: Int32Array | null = null,
): Promise<Array<Array<{ id: number; score: number }>>> {
  const kk = Math.min(k, n);
  if (kk <= 0 || nq === 0) return Array.from({ length: nq }, () => []);
  const s = await getGemmTopK();
  const docBlock = Math.min(n, 1 << 20);
  const queryBlock = Math.max(1, Math.floor(MAX_BLOCK / docBlock));
  const heaps = Array.from({ length: nq }, () => new TopK(kk, tieRank));
  for (let d0 = 0; d0 < n; d0 += docBlock) {
    const nb = Math.min(docBlock, n - d0);
    const kb = Math.min(kk, nb);
    const D = new ort.Tensor("float32", docs.subarray(d0 * d, (d0 + nb) * d), [nb, d]); // [nb, d]
    const K = new ort.Tensor("int64", BigInt64Array.from([BigInt(kb)]), [1]);
    for (let q0 = 0; q0 < nq; q0 += queryBlock) {
      const qb = Math.min(queryBlock, nq - q0);
      const Q = new ort.Tensor("float32", queries.subarray(q0 * d, (q0 + qb) * d), [qb, d]); // [qb, d]
      const r = await s.run({ Q, D, K });
      const v = r.V.data as Float32Array; // [qb, kb]
      const idx = r.I.data as BigInt64Array; // [qb, kb]
      for (let i = 0; i < qb; i++) {
        const h = heaps[q0 + i];
        for (let j = 0; j < kb; j++) h.push(d0 + Number(idx[i * kb + j]), v[i * kb + j]);
      }
    }
  }
  return heaps.map((h) => h.sorted());
}

/**
 * Late-interaction (ColBERT MaxSim) scores of every query against every document:
 *   s(q, d) = sum_i max_j <q_i, d_j>   (Khattab & Zaharia 2020, eq. 3)
 * queries: TokenVectors (Lq_i rows each, d columns); docs: [T, d] token rows with offsets [N + 1].
 * Returns scores [nq, N] row-major. A document without tokens scores 0.
 * The GEMM runs over blocks of documents so that the block output [sum Lq, T_block] stays <= 64 MiB.
 */
export async function maxSimAll(queries: TokenVectors, docs: Float32Array, offsets: Int32Array, d: number): Promise<Float32Array> {
  const nq = queries.offsets.length - 1;
  const nd = offsets.length - 1;
  const rows = queries.offsets[nq]; // sum of Lq
  const scores = new Float32Array(nq * nd);
  if (rows === 0 || nd === 0) return scores;
  const maxTokens = Math.max(1, Math.floor(MAX_BLOCK / rows));
  let j0 = 0;
  while (j0 < nd) {
    let j1 = j0 + 1;
    while (j1 < nd && offsets[j1 + 1] - offsets[j0] <= maxTokens) j1++;
    const t0 = offsets[j0];
    const tb = offsets[j1] - t0;
    if (tb > 0) {
      const S = await gemmABt(queries.vectors, rows, docs.subarray(t0 * d, (t0 + tb) * d), tb, d); // [rows, tb]
      for (let qi = 0; qi < nq; qi++) {
        const base = qi * nd;
        for (let r = queries.offsets[qi]; r < queries.offsets[qi + 1]; r++) {
          const rowBase = r * tb - t0;
          for (let j = j0; j < j1; j++) {
            const a = offsets[j];
            const b = offsets[j + 1];
            if (a === b) continue;
            let m = S[rowBase + a];
            for (let t = a + 1; t < b; t++) {
              const x = S[rowBase + t];
              if (x > m) m = x;
            }
            scores[base + j] += m;
          }
        }
      }
    }
    j0 = j1;
  }
  return scores;
}

/**
 * Reference MaxSim for tests and tiny inputs, in plain JS (float64 accumulation):
 * s(q, d) = sum_i max_j <q_i, d_j>.  q: [Lq, d], doc: [Ld, d] -> scalar (0 when Ld = 0).
 */
export function maxSimReference(q: Float32Array, lq: number, doc: Float32Array, ld: number, d: number): number {
  if (ld === 0) return 0;
  let total = 0;
  for (let i = 0; i < lq; i++) {
    let best = -Infinity;
    for (let j = 0; j < ld; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += q[i * d + c] * doc[j * d + c];
      if (s > best) best = s;
    }
    total += best;
  }
  return total;
}
