/**
 * Exact scoring kernels. Dot products run as one native GEMM on ONNX Runtime (graphs written by
 * models/onnx-proto.ts); MaxSim's per-document max and sum run in a tight JS loop over the GEMM output.
 */
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import {
  encodeOnnxModel,
  OnnxType,
  type OnnxAttr,
  type OnnxNode,
  type OnnxValueInfo,
} from "../models/onnx-proto.js";
import type { TokenVectors } from "../models/types.js";
import { TopK } from "./topk.js";

/** Largest GEMM output block, in floats (64 MiB). */
const MAX_BLOCK = 1 << 24;

let gemmTopKSession: Promise<ort.InferenceSession> | null = null;
let gemmSession: Promise<ort.InferenceSession> | null = null;
let gemmArgMaxSession: Promise<ort.InferenceSession> | null = null;

function getGemmArgMax(): Promise<ort.InferenceSession> {
  gemmArgMaxSession ??= ort.InferenceSession.create(
    graph(
      "xlir_gemm_argmax",
      [
        { op: "Gemm", inputs: ["Q", "D"], outputs: ["S"], attrs: transB }, // [nq, n]
        {
          op: "ArgMax",
          inputs: ["S"],
          outputs: ["I"],
          attrs: [
            { name: "axis", kind: "int", value: 1 },
            { name: "keepdims", kind: "int", value: 0 },
          ],
        }, // [nq]
      ],
      [
        { name: "Q", type: OnnxType.FLOAT, dims: ["nq", "d"] },
        { name: "D", type: OnnxType.FLOAT, dims: ["n", "d"] },
      ],
      [{ name: "I", type: OnnxType.INT64, dims: ["nq"] }],
    ),
    sessionOptions(),
  );
  return gemmArgMaxSession;
}

function sessionOptions(): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: Math.max(1, availableParallelism()),
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
  };
}

const transB: OnnxAttr[] = [{ name: "transB", kind: "int", value: 1 }];

/** A graph of `nodes` (opset 13, no initializers); node names are `n_<first output>`. */
function graph(
  name: string,
  nodes: Omit<OnnxNode, "name">[],
  inputs: OnnxValueInfo[],
  outputs: OnnxValueInfo[],
): Uint8Array {
  return encodeOnnxModel({
    graphName: name,
    opset: 13,
    metadata: {},
    initializers: [],
    nodes: nodes.map((n) => ({ ...n, name: `n_${n.outputs[0]}` })),
    inputs,
    outputs,
  });
}

function getGemmTopK(): Promise<ort.InferenceSession> {
  gemmTopKSession ??= ort.InferenceSession.create(
    graph(
      "xlir_gemm_topk",
      [
        { op: "Gemm", inputs: ["Q", "D"], outputs: ["S"], attrs: transB }, // [nq, n]
        {
          op: "TopK",
          inputs: ["S", "K"],
          outputs: ["V", "I"],
          attrs: [
            { name: "axis", kind: "int", value: -1 },
            { name: "largest", kind: "int", value: 1 },
            { name: "sorted", kind: "int", value: 1 },
          ],
        }, // [nq, k] x2
      ],
      [
        { name: "Q", type: OnnxType.FLOAT, dims: ["nq", "d"] },
        { name: "D", type: OnnxType.FLOAT, dims: ["n", "d"] },
        { name: "K", type: OnnxType.INT64, dims: [1] },
      ],
      [
        { name: "V", type: OnnxType.FLOAT, dims: ["nq", "k"] },
        { name: "I", type: OnnxType.INT64, dims: ["nq", "k"] },
      ],
    ),
    sessionOptions(),
  );
  return gemmTopKSession;
}

function getGemm(): Promise<ort.InferenceSession> {
  gemmSession ??= ort.InferenceSession.create(
    graph(
      "xlir_gemm",
      [{ op: "Gemm", inputs: ["A", "B"], outputs: ["C"], attrs: transB }], // [m, n]
      [
        { name: "A", type: OnnxType.FLOAT, dims: ["m", "d"] },
        { name: "B", type: OnnxType.FLOAT, dims: ["n", "d"] },
      ],
      [{ name: "C", type: OnnxType.FLOAT, dims: ["m", "n"] }],
    ),
    sessionOptions(),
  );
  return gemmSession;
}

/**
 * C = A B^T on ONNX Runtime.  A: [m, d], B: [n, d] (row-major) -> C: [m, n].
 *
 * @example
 * ```ts
 * import { gemmABt } from "xlir";
 * const a = Float32Array.of(1, 2, 3, 4); // [2, 2]
 * const b = Float32Array.of(1, 0, 0, 1, 1, 1); // [3, 2]
 * const c = await gemmABt(a, 2, b, 3, 2); // [2, 3]
 * console.assert(Array.from(c).join() === "1,2,3,3,4,7");
 * ```
 */
export async function gemmABt(
  a: Float32Array,
  m: number,
  b: Float32Array,
  n: number,
  d: number,
): Promise<Float32Array> {
  const s = await getGemm();
  const r = await s.run({
    A: new ort.Tensor("float32", a.subarray(0, m * d), [m, d]),
    B: new ort.Tensor("float32", b.subarray(0, n * d), [n, d]),
  });
  return r.C.data as Float32Array;
}

/**
 * Exact inner-product top-k: for each query q_i, the k documents with the largest <q_i, x_j>.
 * queries: [nq, d], docs: [n, d] -> per query, up to k {id, score} best first. Documents are
 * processed in blocks (GEMM + TopK natively, merged with a heap); tieRank breaks equal scores
 * (larger rank first), but a tie exactly at the k-th place of a block may keep either document.
 *
 * @example
 * ```ts
 * import { denseTopK } from "xlir";
 * const docs = Float32Array.of(1, 0, 0, 1, 0.6, 0.8); // [3, 2]
 * const queries = Float32Array.of(0, 1, 1, 0); // [2, 2]
 * const [first, second] = await denseTopK(queries, 2, docs, 3, 2, 2);
 * console.assert(first[0].id === 1 && first[1].id === 2 && Math.abs(first[1].score - 0.8) < 1e-6);
 * console.assert(second[0].id === 0 && second[1].id === 2);
 * ```
 */
export async function denseTopK(
  queries: Float32Array,
  nq: number,
  docs: Float32Array,
  n: number,
  d: number,
  k: number,
  tieRank: Int32Array | null = null,
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
 *
 * @example
 * ```ts
 * import { maxSimAll } from "xlir";
 * // one query of two tokens, e1 and e2; doc 0 has tokens e1 and 0.5 e2, doc 1 has e2 only, doc 2 none
 * const queries = { dim: 2, vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 2) };
 * const docs = Float32Array.of(1, 0, 0, 0.5, 0, 1); // [3 tokens, 2]
 * const s = await maxSimAll(queries, docs, Int32Array.of(0, 2, 3, 3), 2); // [1, 3]
 * // doc 0: max(1, 0) + max(0, 0.5) = 1.5; doc 1: 0 + 1 = 1
 * console.assert(Array.from(s).join() === "1.5,1,0");
 * ```
 */
export async function maxSimAll(
  queries: TokenVectors,
  docs: Float32Array,
  offsets: Int32Array,
  d: number,
): Promise<Float32Array> {
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
 *
 * @example
 * ```ts
 * import { maxSimReference } from "xlir";
 * const q = Float32Array.of(1, 0, 0, 1); // [2, 2]
 * const doc = Float32Array.of(0.5, 0.5, 0.2, 0.9); // [2, 2]
 * // token 1: max(0.5, 0.2) = 0.5; token 2: max(0.5, 0.9) = 0.9
 * console.assert(Math.abs(maxSimReference(q, 2, doc, 2, 2) - 1.4) < 1e-6);
 * console.assert(maxSimReference(q, 2, doc, 0, 2) === 0);
 * ```
 */
export function maxSimReference(
  q: Float32Array,
  lq: number,
  doc: Float32Array,
  ld: number,
  d: number,
): number {
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

/**
 * For every row x_r the index of the centre with the largest inner product, argmax_c <x_r, c_c>
 * (GEMM + ArgMax on ONNX Runtime, blocked so that the [rows, C] block stays <= 64 MiB; ArgMax keeps
 * the first maximum on ties). rows: [n, d], centres: [C, d] -> Int32Array [n].
 */
export async function nearestCentres(
  rows: Float32Array,
  n: number,
  centres: Float32Array,
  C: number,
  d: number,
): Promise<Int32Array> {
  const out = new Int32Array(n);
  if (n === 0) return out;
  const s = await getGemmArgMax();
  const D = new ort.Tensor("float32", centres.subarray(0, C * d), [C, d]);
  const block = Math.max(1, Math.min(8192, Math.floor(MAX_BLOCK / C)));
  for (let r0 = 0; r0 < n; r0 += block) {
    const rb = Math.min(block, n - r0);
    const r = await s.run({ Q: new ort.Tensor("float32", rows.subarray(r0 * d, (r0 + rb) * d), [rb, d]), D });
    const idx = r.I.data as BigInt64Array; // [rb]
    for (let i = 0; i < rb; i++) out[r0 + i] = Number(idx[i]);
  }
  return out;
}
