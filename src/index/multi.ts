/**
 * Multi-vector (ColBERT late-interaction) indexes over document token vectors.
 * - `multi-exact`: every document scored by MaxSim (exact; small collections, checking).
 * - `multi`: candidate generation by HNSW over all token vectors (for each query token the
 *   tokenK nearest token rows, mapped to their documents), then exact MaxSim re-ranking of the
 *   candidate documents (PLAID/ColBERTv1-style two-stage retrieval).
 */
import { join } from "node:path";
import type { TokenVectors } from "../models/types.js";
import { maxSimAll } from "./exact.js";
import { Hnsw, HNSW_DEFAULTS, type HnswParams } from "./hnsw.js";
import { docnoRanks, TopK } from "./topk.js";
import { HNSW, readDocnos, readOffsets, readVectors } from "./storage.js";
import type { DocHit, IndexManifest, VectorBuildOptions, VectorIndex, VectorKindSpec } from "./types.js";

export class MultiVectorIndex implements VectorIndex {
  readonly queryForm = "tokens" as const;
  private readonly ranks: Int32Array;
  private readonly tokenDoc: Int32Array | null;

  constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly docnos: string[],
    readonly vectors: Float32Array, // [T, dim]
    readonly offsets: Int32Array, // [N + 1]
    readonly hnsw: Hnsw | null,
    readonly tokenK: number,
  ) {
    this.ranks = docnoRanks(docnos);
    if (hnsw) {
      this.tokenDoc = new Int32Array(manifest.vectorCount); // token row -> document
      for (let j = 0; j < docnos.length; j++) this.tokenDoc.fill(j, offsets[j], offsets[j + 1]);
    } else this.tokenDoc = null;
  }

  async search(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    return this.hnsw ? this.searchApprox(queries, k) : this.searchExact(queries, k);
  }

  private async searchExact(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const nq = queries.offsets.length - 1;
    const nd = this.docnos.length;
    const scores = await maxSimAll(queries, this.vectors, this.offsets, this.manifest.dim); // [nq, nd]
    const out: DocHit[][] = [];
    for (let i = 0; i < nq; i++) {
      const h = new TopK(Math.min(k, nd), this.ranks);
      for (let j = 0; j < nd; j++) h.push(j, scores[i * nd + j]);
      out.push(h.sorted().map(({ id, score }) => ({ docno: this.docnos[id], score })));
    }
    return out;
  }

  /** Candidate documents of one query: documents owning any of the tokenK nearest tokens of any query token. */
  candidates(ids: Int32Array, rowFrom: number, rowTo: number, kPerRow: number): Int32Array {
    const seen = new Set<number>();
    const tokenDoc = this.tokenDoc as Int32Array;
    for (let r = rowFrom; r < rowTo; r++) {
      for (let j = 0; j < kPerRow; j++) {
        const t = ids[r * kPerRow + j];
        if (t >= 0) seen.add(tokenDoc[t]);
      }
    }
    return Int32Array.from(seen).sort();
  }

  private async searchApprox(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const d = this.manifest.dim;
    const nq = queries.offsets.length - 1;
    const rows = queries.offsets[nq];
    const kPerRow = Math.max(this.tokenK, Math.min(k, this.manifest.vectorCount));
    const { ids } = (this.hnsw as Hnsw).search(queries.vectors, rows, kPerRow); // [rows, kPerRow]
    const out: DocHit[][] = [];
    for (let i = 0; i < nq; i++) {
      const a = queries.offsets[i];
      const b = queries.offsets[i + 1];
      const cand = this.candidates(ids, a, b, kPerRow);
      // Gather the candidates' token rows into one contiguous block.  [T_c, d]
      const subOff = new Int32Array(cand.length + 1);
      for (let c = 0; c < cand.length; c++) subOff[c + 1] = subOff[c] + this.offsets[cand[c] + 1] - this.offsets[cand[c]];
      const sub = new Float32Array(subOff[cand.length] * d);
      for (let c = 0; c < cand.length; c++) {
        sub.set(this.vectors.subarray(this.offsets[cand[c]] * d, this.offsets[cand[c] + 1] * d), subOff[c] * d);
      }
      const q: TokenVectors = { dim: d, vectors: queries.vectors.subarray(a * d, b * d), offsets: Int32Array.from([0, b - a]) };
      const scores = await maxSimAll(q, sub, subOff, d); // [1, cand]
      const h = new TopK(Math.min(k, cand.length), this.ranks);
      for (let c = 0; c < cand.length; c++) h.push(cand[c], scores[c]);
      out.push(h.sorted().map(({ id, score }) => ({ docno: this.docnos[id], score })));
    }
    return out;
  }

  close(): void {}
}

function hnswParams(m: IndexManifest, opts: VectorBuildOptions): HnswParams {
  const bp = m.buildParams as Partial<HnswParams>;
  return {
    connectivity: bp.connectivity ?? HNSW_DEFAULTS.connectivity,
    expansionAdd: bp.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
    expansionSearch: opts.expansionSearch ?? bp.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
    threads: opts.threads ?? 0,
  };
}

async function loadMulti(dir: string, m: IndexManifest, opts: VectorBuildOptions, approximate: boolean): Promise<MultiVectorIndex> {
  const docnos = await readDocnos(dir, m.docCount);
  const offsets = await readOffsets(dir, m);
  const vectors = await readVectors(dir, m);
  const hnsw = approximate ? Hnsw.load(join(dir, HNSW), m.dim, m.vectorCount, hnswParams(m, opts)) : null;
  const tokenK = opts.tokenK ?? (m.buildParams.tokenK as number | undefined) ?? 64;
  return new MultiVectorIndex(dir, m, docnos, vectors, offsets, hnsw, tokenK);
}

export const multiSpec: VectorKindSpec = {
  kind: "multi",
  description: "ColBERT token vectors; HNSW candidate generation over tokens + exact MaxSim re-ranking",
  queryForm: "tokens",
  approximate: true,
  load: (dir, m, opts) => loadMulti(dir, m, opts, true),
};

export const multiExactSpec: VectorKindSpec = {
  kind: "multi-exact",
  description: "ColBERT token vectors; every document scored by exact MaxSim",
  queryForm: "tokens",
  approximate: false,
  load: (dir, m, opts) => loadMulti(dir, m, opts, false),
};

export { hnswParams };
