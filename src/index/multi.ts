/**
 * Multi-vector (ColBERT late-interaction) indexes over document token vectors.
 * - `multi-exact`: every document scored by MaxSim (exact; small collections, checking).
 * - `multi`: candidate generation by HNSW over all token vectors (for each query token the
 *   tokenK nearest token rows, mapped to their documents), pruning to the rerankDepth candidates
 *   with the best MaxSim estimate from the hits, then exact MaxSim re-ranking of those
 *   (ColBERT's two-stage retrieval; the pruning plays the role of PLAID's centroid interaction).
 */
import { join } from "node:path";
import type { TokenVectors } from "../models/types.js";
import { maxSimAll } from "./exact.js";
import { FusedMaxSim } from "./maxsim-fused.js";
import { Hnsw, HNSW_DEFAULTS, type HnswParams } from "./hnsw.js";
import { docnoRanks, TopK } from "./topk.js";
import { HNSW, readDocnos, readOffsets, readVectors } from "./storage.js";
import { writeFloatKind } from "./write-float.js";
import type { DocHit, IndexManifest, VectorBuildOptions, VectorIndex, VectorKindSpec } from "./types.js";

/**
 * A loaded multi-vector index: exact MaxSim over every document (`multi-exact`), or HNSW token candidates re-ranked by exact MaxSim (`multi`).
 *
 * @example
 * ```ts
 * import { MultiVectorIndex } from "xlir";
 * // an in-memory exact index: document "a" has tokens e1 and e2, "b" has 0.5 e1
 * const manifest = {
 *   formatVersion: 1,
 *   kind: "multi-exact",
 *   encoderHash: "demo",
 *   dim: 2,
 *   docCount: 2,
 *   vectorCount: 3,
 *   storage: "float32" as const,
 *   buildParams: {},
 *   createdBy: "example",
 *   createdAt: "2026-01-01T00:00:00Z",
 * };
 * const vectors = Float32Array.of(1, 0, 0, 1, 0.5, 0); // [3 tokens, 2]
 * const index = new MultiVectorIndex("in-memory", manifest, ["a", "b"], vectors, Int32Array.of(0, 2, 3), null, 64);
 * const query = { dim: 2, vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 2) }; // tokens e1, e2
 * const [hits] = await index.search(query, 2);
 * // MaxSim: a = 1 + 1 = 2; b = 0.5 + 0 = 0.5
 * console.assert(hits[0].docno === "a" && Math.abs(hits[0].score - 2) < 1e-6 && Math.abs(hits[1].score - 0.5) < 1e-6);
 * ```
 */
export class MultiVectorIndex implements VectorIndex {
  readonly queryForm = "tokens" as const;
  private readonly ranks: Int32Array;
  private readonly tokenDoc: Int32Array | null;
  private fused: FusedMaxSim | null = null;

  constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly docnos: string[],
    readonly vectors: Float32Array, // [T, dim]
    readonly offsets: Int32Array, // [N + 1]
    readonly hnsw: Hnsw | null,
    readonly tokenK: number,
    /** Candidates re-ranked exactly per query (at least k), chosen by the ANN-hit estimate. */
    readonly rerankDepth = 1024,
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

  /** Exhaustive MaxSim over every document, fused on ONNX Runtime (see maxsim-fused.ts). */
  private async searchExact(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    this.fused ??= new FusedMaxSim(this.vectors, this.offsets, this.manifest.dim, this.ranks);
    const hits = await this.fused.search(queries, Math.min(k, this.docnos.length));
    return hits.map((list) => list.map(({ id, score }) => ({ docno: this.docnos[id], score })));
  }

  /**
   * Candidate documents of one query, pruned to the `depth` most promising by an optimistic MaxSim
   * estimate from the ANN hits alone: est(d) = sum_i max(best hit score of d for query token i,
   * floor_i), where floor_i is the lowest hit score of token i (an upper bound on any token the
   * ANN did not return). ids/scores: [rows, kPerRow] from the HNSW search.
   */
  candidates(
    ids: Int32Array,
    scores: Float32Array,
    rowFrom: number,
    rowTo: number,
    kPerRow: number,
    depth: number,
  ): Int32Array {
    const tokenDoc = this.tokenDoc as Int32Array;
    const lq = rowTo - rowFrom;
    const floor = new Float32Array(lq);
    for (let r = rowFrom; r < rowTo; r++) {
      let f = 0;
      for (let j = 0; j < kPerRow; j++) if (ids[r * kPerRow + j] >= 0) f = scores[r * kPerRow + j];
      floor[r - rowFrom] = f; // hits are sorted best first: the last valid one is the lowest
    }
    const slot = new Map<number, number>();
    const docs: number[] = [];
    const part: number[] = []; // [candidates, lq]
    for (let r = rowFrom; r < rowTo; r++) {
      for (let j = 0; j < kPerRow; j++) {
        const t = ids[r * kPerRow + j];
        if (t < 0) continue;
        const d = tokenDoc[t];
        let c = slot.get(d);
        if (c === undefined) {
          c = docs.length;
          slot.set(d, c);
          docs.push(d);
          for (let i = 0; i < lq; i++) part.push(floor[i]);
        }
        const at = c * lq + (r - rowFrom);
        if (scores[r * kPerRow + j] > part[at]) part[at] = scores[r * kPerRow + j];
      }
    }
    if (docs.length <= depth) return Int32Array.from(docs).sort();
    const est = docs.map((_, c) => {
      let sum = 0;
      for (let i = 0; i < lq; i++) sum += part[c * lq + i];
      return sum;
    });
    const order = docs
      .map((_, c) => c)
      .sort((x, y) => est[y] - est[x])
      .slice(0, depth);
    return Int32Array.from(order.map((c) => docs[c])).sort();
  }

  private async searchApprox(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const d = this.manifest.dim;
    const nq = queries.offsets.length - 1;
    const rows = queries.offsets[nq];
    const kPerRow = Math.max(this.tokenK, Math.min(k, this.manifest.vectorCount));
    const depth = Math.max(this.rerankDepth, k);
    const { ids, scores: hitScores } = (this.hnsw as Hnsw).search(queries.vectors, rows, kPerRow); // [rows, kPerRow]
    const out: DocHit[][] = [];
    for (let i = 0; i < nq; i++) {
      const a = queries.offsets[i];
      const b = queries.offsets[i + 1];
      const cand = this.candidates(ids, hitScores, a, b, kPerRow, depth);
      // Gather the candidates' token rows into one contiguous block.  [T_c, d]
      const subOff = new Int32Array(cand.length + 1);
      for (let c = 0; c < cand.length; c++)
        subOff[c + 1] = subOff[c] + this.offsets[cand[c] + 1] - this.offsets[cand[c]];
      const sub = new Float32Array(subOff[cand.length] * d);
      for (let c = 0; c < cand.length; c++) {
        sub.set(
          this.vectors.subarray(this.offsets[cand[c]] * d, this.offsets[cand[c] + 1] * d),
          subOff[c] * d,
        );
      }
      const q: TokenVectors = {
        dim: d,
        vectors: queries.vectors.subarray(a * d, b * d),
        offsets: Int32Array.from([0, b - a]),
      };
      const scores = await maxSimAll(q, sub, subOff, d); // [1, cand]
      const h = new TopK(Math.min(k, cand.length), this.ranks);
      for (let c = 0; c < cand.length; c++) h.push(cand[c], scores[c]);
      out.push(h.sorted().map(({ id, score }) => ({ docno: this.docnos[id], score })));
    }
    return out;
  }

  close(): void {}
}

/**
 * HNSW settings of a loaded index: the graph's build settings from the manifest, `expansionSearch` and `threads` from the load options when given.
 *
 * @example
 * ```ts
 * import { HNSW_DEFAULTS, hnswParams } from "xlir";
 * const manifest = {
 *   formatVersion: 1,
 *   kind: "single-hnsw",
 *   encoderHash: "demo",
 *   dim: 2,
 *   docCount: 1,
 *   vectorCount: 1,
 *   storage: "float32" as const,
 *   buildParams: {},
 *   createdBy: "example",
 *   createdAt: "2026-01-01T00:00:00Z",
 * };
 * // the graph's build settings come from the manifest; expansionSearch and threads may be overridden at load
 * const p = hnswParams({ ...manifest, buildParams: { connectivity: 8 } }, { expansionSearch: 32 });
 * console.assert(p.connectivity === 8 && p.expansionSearch === 32 && p.expansionAdd === HNSW_DEFAULTS.expansionAdd);
 * ```
 */
export function hnswParams(m: IndexManifest, opts: VectorBuildOptions): HnswParams {
  const bp = m.buildParams as Partial<HnswParams>;
  return {
    connectivity: bp.connectivity ?? HNSW_DEFAULTS.connectivity,
    expansionAdd: bp.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
    expansionSearch: opts.expansionSearch ?? bp.expansionSearch ?? HNSW_DEFAULTS.expansionSearch,
    threads: opts.threads ?? 0,
  };
}

async function loadMulti(
  dir: string,
  m: IndexManifest,
  opts: VectorBuildOptions,
  approximate: boolean,
): Promise<MultiVectorIndex> {
  const docnos = await readDocnos(dir, m.docCount);
  const offsets = await readOffsets(dir, m);
  const vectors = await readVectors(dir, m);
  const hnsw = approximate ? Hnsw.load(join(dir, HNSW), m.dim, m.vectorCount, hnswParams(m, opts)) : null;
  const tokenK = opts.tokenK ?? (m.buildParams.tokenK as number | undefined) ?? 64;
  return new MultiVectorIndex(dir, m, docnos, vectors, offsets, hnsw, tokenK, opts.rerankDepth ?? 1024);
}

export const multiSpec: VectorKindSpec = {
  kind: "multi",
  description: "ColBERT token vectors; HNSW candidate generation over tokens + exact MaxSim re-ranking",
  queryForm: "tokens",
  approximate: true,
  load: (dir, m, opts) => loadMulti(dir, m, opts, true),
  write: (dir, source, opts) => writeFloatKind(dir, source, opts, "tokens", true),
};

export const multiExactSpec: VectorKindSpec = {
  kind: "multi-exact",
  description: "ColBERT token vectors; every document scored by exact MaxSim",
  queryForm: "tokens",
  approximate: false,
  load: (dir, m, opts) => loadMulti(dir, m, opts, false),
  write: (dir, source, opts) => writeFloatKind(dir, source, opts, "tokens", false),
};
