/**
 * Exhaustive late-interaction search with the whole MaxSim in one native graph on ONNX Runtime:
 *   s(q, d) = sum_i max_j <q_i, d_j>   (Khattab & Zaharia 2020, eq. 3)
 * Documents are grouped into length buckets (padded to 8, 12, 16, 24, 32, ... tokens) so that padding costs
 * little; per bucket the graph computes Gemm -> +padding bias -> ReduceMax over document tokens ->
 * masked ReduceSum over query tokens -> TopK, so the [query tokens x document tokens] similarity
 * matrix never leaves native memory. The buckets' top-k lists are merged in JS.
 */
import * as ort from "onnxruntime-node";
import { availableParallelism } from "node:os";
import { encodeOnnxModel, OnnxType, type OnnxNode } from "../models/onnx-proto.js";
import type { TokenVectors } from "../models/types.js";
import { TopK } from "./topk.js";

/** Bias added to padded document tokens: large and finite (not -inf: no NaN on empty rows). */
const PAD_BIAS = -1e4;
/** Largest similarity block computed at once, in floats (128 MiB). */
const MAX_BLOCK = 1 << 25;

let session: Promise<ort.InferenceSession> | null = null;

function node(op: string, inputs: string[], outputs: string[], attrs?: OnnxNode["attrs"]): OnnxNode {
  return { op, inputs, outputs, name: `n_${outputs[0]}`, attrs };
}

function maxSimSession(): Promise<ort.InferenceSession> {
  session ??= ort.InferenceSession.create(
    encodeOnnxModel({
      graphName: "xlir_maxsim_topk",
      opset: 17,
      metadata: {},
      initializers: [],
      nodes: [
        node("Gemm", ["Q", "D"], ["S"], [{ name: "transB", kind: "int", value: 1 }]), // [r, nd*L]
        node("Reshape", ["S", "shapeRdL"], ["S3"]), // [r, nd, L]
        node("Add", ["S3", "DB"], ["S3b"]), // + [nd, L] padding bias
        node(
          "ReduceMax",
          ["S3b"],
          ["M"],
          [
            { name: "axes", kind: "ints", value: [2] },
            { name: "keepdims", kind: "int", value: 0 },
          ],
        ), // [r, nd]
        node("Reshape", ["M", "shapeQLd"], ["M3"]), // [nq, lq, nd]
        node("Unsqueeze", ["QM", "axis2"], ["QM3"]), // [nq, lq, 1]
        node("Mul", ["M3", "QM3"], ["P"]),
        node("ReduceSum", ["P", "axis1"], ["T"], [{ name: "keepdims", kind: "int", value: 0 }]), // [nq, nd]
      ],
      inputs: [
        { name: "Q", type: OnnxType.FLOAT, dims: ["r", "d"] },
        { name: "D", type: OnnxType.FLOAT, dims: ["n", "d"] },
        { name: "DB", type: OnnxType.FLOAT, dims: ["nd", "L"] },
        { name: "QM", type: OnnxType.FLOAT, dims: ["nq", "lq"] },
        { name: "shapeRdL", type: OnnxType.INT64, dims: [3] },
        { name: "shapeQLd", type: OnnxType.INT64, dims: [3] },
        { name: "axis1", type: OnnxType.INT64, dims: [1] },
        { name: "axis2", type: OnnxType.INT64, dims: [1] },
      ],
      outputs: [{ name: "T", type: OnnxType.FLOAT, dims: ["nq", "nd"] }],
    }),
    {
      intraOpNumThreads: Math.max(1, Math.min(2, availableParallelism())),
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
    },
  );
  return session;
}

interface Bucket {
  length: number; // L: padded tokens per document
  docs: Int32Array; // document ids in this bucket
  vectors: ort.Tensor; // [nd * L, d]
  bias: ort.Tensor; // [nd, L]
}

const i64 = (values: number[]): ort.Tensor =>
  new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), [values.length]);

/** Documents in padded length buckets, ready for exhaustive MaxSim on ONNX Runtime. */
export class FusedMaxSim {
  private readonly buckets: Bucket[] = [];

  /**
   * @param vectors [T, d] document token rows; offsets [N + 1]: rows of document j are offsets[j]..offsets[j+1]
   * @param tieRank for equal scores the larger rank comes first (trec_eval: docno descending)
   */
  constructor(
    vectors: Float32Array,
    offsets: Int32Array,
    readonly dim: number,
    private readonly tieRank: Int32Array | null = null,
  ) {
    const n = offsets.length - 1;
    const byLength = new Map<number, number[]>();
    for (let j = 0; j < n; j++) {
      const len = offsets[j + 1] - offsets[j];
      let L = 8; // 8, 12, 16, 24, 32, 48, ...: at most 1.5x padding
      while (L < len) L = (L & (L - 1)) === 0 ? (L * 3) / 2 : (L * 4) / 3;
      byLength.set(L, [...(byLength.get(L) ?? []), j]);
    }
    for (const [L, docs] of [...byLength].sort(([a], [b]) => a - b)) {
      const data = new Float32Array(docs.length * L * dim); // [nd, L, d], zeros on padding
      const bias = new Float32Array(docs.length * L).fill(PAD_BIAS); // [nd, L]
      docs.forEach((j, b) => {
        const len = offsets[j + 1] - offsets[j];
        data.set(vectors.subarray(offsets[j] * dim, offsets[j + 1] * dim), b * L * dim);
        bias.fill(0, b * L, b * L + len);
      });
      this.buckets.push({
        length: L,
        docs: Int32Array.from(docs),
        vectors: new ort.Tensor("float32", data, [docs.length * L, dim]),
        bias: new ort.Tensor("float32", bias, [docs.length, L]),
      });
    }
  }

  /** Top-k documents of each query, best first: [{ id, score }] per query. Empty documents never match. */
  async search(queries: TokenVectors, k: number): Promise<Array<Array<{ id: number; score: number }>>> {
    const s = await maxSimSession();
    const d = this.dim;
    const nq = queries.offsets.length - 1;
    const heaps = Array.from({ length: nq }, () => new TopK(k, this.tieRank));
    let lq = 1;
    for (let i = 0; i < nq; i++) lq = Math.max(lq, queries.offsets[i + 1] - queries.offsets[i]);
    // queries padded to lq tokens: [nq, lq, d] and their mask [nq, lq]
    const q = new Float32Array(nq * lq * d);
    const qm = new Float32Array(nq * lq);
    for (let i = 0; i < nq; i++) {
      const a = queries.offsets[i];
      const len = queries.offsets[i + 1] - a;
      q.set(queries.vectors.subarray(a * d, (a + len) * d), i * lq * d);
      qm.fill(1, i * lq, i * lq + len);
    }
    const axis1 = i64([1]);
    const axis2 = i64([2]);
    for (const b of this.buckets) {
      const nd = b.docs.length;
      const perCall = Math.max(1, Math.floor(MAX_BLOCK / (lq * nd * b.length)));
      for (let q0 = 0; q0 < nq; q0 += perCall) {
        const qb = Math.min(perCall, nq - q0);
        const r = await s.run({
          Q: new ort.Tensor("float32", q.subarray(q0 * lq * d, (q0 + qb) * lq * d), [qb * lq, d]),
          D: b.vectors,
          DB: b.bias,
          QM: new ort.Tensor("float32", qm.subarray(q0 * lq, (q0 + qb) * lq), [qb, lq]),
          shapeRdL: i64([qb * lq, nd, b.length]),
          shapeQLd: i64([qb, lq, nd]),
          axis1,
          axis2,
        });
        const scores = r.T.data as Float32Array; // [qb, nd]
        for (let i = 0; i < qb; i++) {
          const h = heaps[q0 + i];
          for (let j = 0; j < nd; j++) h.push(b.docs[j], scores[i * nd + j]);
        }
      }
    }
    return heaps.map((h) => h.sorted());
  }
}
