/**
 * Single-vector (DPR-style) indexes: one L2-normalised vector per document, score = <q, d>.
 * - `single`: exact top-k by blocked GEMM + TopK (ONNX Runtime) merged with a heap.
 * - `single-hnsw`: approximate top-k from an HNSW graph (usearch, inner product).
 */
import { join } from "node:path";
import type { TokenVectors } from "../models/types.js";
import { XlirError } from "../errors.js";
import { denseTopK } from "./exact.js";
import { Hnsw } from "./hnsw.js";
import { hnswParams } from "./multi.js";
import { docnoRanks, compareHits } from "./topk.js";
import { HNSW, readDocnos, readVectors } from "./storage.js";
import { writeFloatKind } from "./write-float.js";
import type { DocHit, IndexManifest, VectorBuildOptions, VectorIndex, VectorKindSpec } from "./types.js";

/**
 * A loaded single-vector index: exact inner-product top-k (`single`), or approximate from an HNSW graph (`single-hnsw`).
 *
 * @example
 * ```ts
 * import { SingleVectorIndex } from "xlir";
 * // an in-memory index of three unit vectors (exact search; no HNSW graph)
 * const manifest = {
 *   formatVersion: 1,
 *   kind: "single",
 *   encoderHash: "demo",
 *   dim: 2,
 *   docCount: 3,
 *   vectorCount: 3,
 *   storage: "float32" as const,
 *   buildParams: {},
 *   createdBy: "example",
 *   createdAt: "2026-01-01T00:00:00Z",
 * };
 * const vectors = Float32Array.of(1, 0, 0, 1, 0.6, 0.8); // [3, 2]
 * const index = new SingleVectorIndex("in-memory", manifest, ["a", "b", "c"], vectors, null);
 * const queries = { dim: 2, vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 1, 2) }; // 2 pooled queries
 * const [first, second] = await index.search(queries, 2);
 * console.assert(first.map((h) => h.docno).join() === "a,c" && second.map((h) => h.docno).join() === "b,c");
 * ```
 */
export class SingleVectorIndex implements VectorIndex {
  readonly queryForm = "pooled" as const;
  private readonly ranks: Int32Array;

  constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly docnos: string[],
    readonly vectors: Float32Array, // [N, dim]
    readonly hnsw: Hnsw | null,
  ) {
    this.ranks = docnoRanks(docnos);
  }

  async search(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const nq = queries.offsets.length - 1;
    for (let i = 0; i < nq; i++) {
      if (queries.offsets[i + 1] - queries.offsets[i] !== 1) {
        throw new XlirError(
          "INTERNAL",
          `single-vector index ${this.dir}: query ${i} has ${queries.offsets[i + 1] - queries.offsets[i]} rows, expected 1 pooled vector`,
        );
      }
    }
    const n = this.manifest.docCount;
    const d = this.manifest.dim;
    if (this.hnsw) {
      const kk = Math.min(k, n);
      const { ids, scores } = this.hnsw.search(queries.vectors, nq, kk); // [nq, kk]
      const out: DocHit[][] = [];
      for (let i = 0; i < nq; i++) {
        const hits: DocHit[] = [];
        for (let j = 0; j < kk; j++) {
          const id = ids[i * kk + j];
          if (id >= 0) hits.push({ docno: this.docnos[id], score: scores[i * kk + j] });
        }
        out.push(hits.sort(compareHits));
      }
      return out;
    }
    const top = await denseTopK(queries.vectors, nq, this.vectors, n, d, k, this.ranks);
    return top.map((hits) => hits.map(({ id, score }) => ({ docno: this.docnos[id], score })));
  }

  close(): void {}
}

async function loadSingle(
  dir: string,
  m: IndexManifest,
  opts: VectorBuildOptions,
  approximate: boolean,
): Promise<SingleVectorIndex> {
  if (m.vectorCount !== m.docCount)
    throw new XlirError(
      "CORRUPT",
      `${dir}: single-vector index with ${m.vectorCount} vectors for ${m.docCount} documents`,
    );
  const docnos = await readDocnos(dir, m.docCount);
  const vectors = await readVectors(dir, m);
  const hnsw = approximate ? Hnsw.load(join(dir, HNSW), m.dim, m.vectorCount, hnswParams(m, opts)) : null;
  return new SingleVectorIndex(dir, m, docnos, vectors, hnsw);
}

export const singleSpec: VectorKindSpec = {
  kind: "single",
  description: "one pooled vector per document; exact inner-product search (blocked GEMM + top-k)",
  queryForm: "pooled",
  approximate: false,
  load: (dir, m, opts) => loadSingle(dir, m, opts, false),
  write: (dir, source, opts) => writeFloatKind(dir, source, opts, "pooled", false),
};

export const singleHnswSpec: VectorKindSpec = {
  kind: "single-hnsw",
  description: "one pooled vector per document; approximate search with an HNSW graph (usearch)",
  queryForm: "pooled",
  approximate: true,
  load: (dir, m, opts) => loadSingle(dir, m, opts, true),
  write: (dir, source, opts) => writeFloatKind(dir, source, opts, "pooled", true),
};
