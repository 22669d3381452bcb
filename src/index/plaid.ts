/**
 * `multi-plaid`: a compressed late-interaction index in the manner of ColBERTv2 (Santhanam et al.
 * 2022, residual compression) and PLAID (Santhanam et al. 2022, centroid interaction).
 *
 * Every token vector x (unit norm, d dimensions) is stored as a centroid id and a residual code:
 *   code(x) = argmax_c <x, C_c>                     C: k-means centroids [nc, d], unit norm
 *   r = x - C_code(x);  q_j = #{ cutoffs_j < r_j } in [0, 2^b)   (b = nbits bits per dimension)
 * where, by default ("per-dim"), cutoffs_j are the quantiles (1 .. 2^b - 1) / 2^b of dimension j's
 * residuals on held-out tokens and w_j[q] the mean of those residuals in bucket q; ColBERTv2's
 * "pooled" buckets share one set for all dimensions (quantiles i / 2^b and (i + 0.5) / 2^b of all
 * residual values pooled). Decompression:
 *   x~ = normalise(C_code + (w_1[q_1], ..., w_d[q_d])).
 *
 * Search, per query Q [lq, d] with S = Q C^T [lq, nc]:
 *  1. probe: each query token's `nprobe` best centroids; the documents listed under them (the
 *     inverted file centroid -> documents) are the candidates, each with the estimate
 *     est(D) = sum_i max(best S[i, c] over token i's probed centroids listing D, floor_i),
 *     floor_i = the lowest probed score of token i (an upper bound for centroids not probed);
 *  2. centroid interaction (PLAID's stage 3): the 4 * `candidates` best by est are scored by
 *     ci(D) = sum_i max_{t in D} S[i, code_t] (codes only, no residuals);
 *  3. the `candidates` best by ci are decompressed (residuals read by positional reads) and
 *     scored by MaxSim on x~; the top k (score desc, docno desc on ties) are returned.
 *
 * Files: centroids.f32 [nc, d]; codes.u16 (nc <= 65536) or codes.u32 [T]; residuals.bin
 * [T, d b / 8] (dimension j at bits j b .. j b + b - 1, least significant first); offsets.i32
 * [N + 1]; ivf.i32 [P] documents of each centroid, ascending; ivf-offsets.i32 [nc + 1]; docnos.json.
 * In memory at search: centroids, codes, inverted file and offsets (about 6 bytes per token);
 * residuals stay on disk. The writer is plaid-write.ts, the codec plaid-codec.ts.
 */
import { join } from "node:path";
import { XlirError } from "../errors.js";
import type { TokenVectors } from "../models/types.js";
import { maxSimAll, gemmABt } from "./exact.js";
import { readDocnos, readOffsets } from "./storage.js";
import { docnoRanks, TopK } from "./topk.js";
import type { DocHit, IndexManifest, VectorBuildOptions, VectorIndex, VectorKindSpec } from "./types.js";
import { byteTable, decompress, PLAID_DEFAULTS, type ResidualCodec } from "./plaid-codec.js";
import { CENTROIDS, codesFile, IVF, IVF_OFFSETS, RESIDUALS, writePlaid } from "./plaid-write.js";
import { RowFile } from "./vector-file.js";

/** Reads a whole small int file (offsets, codes, inverted file) by positional reads. */
function readInts<T extends Int32Array | Uint16Array | Uint32Array>(
  path: string,
  n: number,
  make: (n: number) => T,
  what: string,
): T {
  const out = make(n);
  const f = RowFile.open(path, n, out.BYTES_PER_ELEMENT, what);
  try {
    f.read(0, n, new Uint8Array(out.buffer));
  } finally {
    f.close();
  }
  return out;
}

/** Indices of the `m` largest values of `score` (all when fewer), in no particular order. */
function topIndices(score: Float32Array, count: number, m: number): Int32Array {
  const idx = Int32Array.from({ length: count }, (_, i) => i);
  if (count <= m) return idx;
  return idx.sort((a, b) => score[b] - score[a] || a - b).slice(0, m);
}

/**
 * A loaded `multi-plaid` index: centroids, codes and inverted file in memory, residuals read from disk (see the module comment).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Mulberry32, PlaidIndex, openVectorIndex, writeVectorIndexFrom } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * // 16 unit token vectors of dimension 4, in one chunk of 4 documents with 4 tokens each
 * const rand = new Mulberry32(1);
 * const vectors = Float32Array.from({ length: 64 }, () => rand.next() - 0.5);
 * for (let r = 0; r < 16; r++) {
 *   const n = Math.hypot(...vectors.subarray(r * 4, r * 4 + 4));
 *   for (let j = 0; j < 4; j++) vectors[r * 4 + j] /= n;
 * }
 * const chunk = { vectors, offsets: Int32Array.of(0, 4, 8, 12, 16), docnos: ["a", "b", "c", "d"] };
 * const source = { dim: 4, docCount: 4, vectorCount: 16, chunks: () => [chunk] };
 * await writeVectorIndexFrom(dir, "multi-plaid", "demo", source, chunk.docnos, { options: { centroids: 4, nbits: 2 } });
 * const index = await openVectorIndex(dir);
 * console.assert(index instanceof PlaidIndex);
 * // the query is document c's own tokens: c ranks first
 * const q = { dim: 4, vectors: vectors.slice(8 * 4, 12 * 4), offsets: Int32Array.of(0, 4) };
 * const [hits] = await index.search(q, 2);
 * console.assert(hits[0].docno === "c" && hits.length === 2);
 * const { rows, offsets } = (index as PlaidIndex).decompressDocs([2]); // c's 4 tokens, decompressed
 * console.assert(offsets[1] === 4 && rows.length === 16);
 * index.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class PlaidIndex implements VectorIndex {
  readonly queryForm = "tokens" as const;
  private readonly ranks: Int32Array;
  private readonly table: Float32Array;
  private readonly nc: number;
  private readonly slot: Int32Array;

  constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly docnos: string[],
    readonly offsets: Int32Array, // [N + 1]
    readonly codec: ResidualCodec,
    readonly codes: Uint16Array | Uint32Array, // [T]
    readonly ivf: Int32Array, // [P]
    readonly ivfOffsets: Int32Array, // [nc + 1]
    private residuals: RowFile | null, // [T, d b / 8]
    readonly nprobe: number,
    readonly candidates: number,
  ) {
    this.ranks = docnoRanks(docnos);
    this.table = byteTable(codec);
    this.nc = codec.centroids.length / codec.dim;
    this.slot = new Int32Array(docnos.length).fill(-1);
  }

  /** Decompressed token rows of documents `docs` (contiguous, in the given order). -> rows [T_c, d], offsets [docs + 1]. */
  decompressDocs(docs: ArrayLike<number>): { rows: Float32Array; offsets: Int32Array } {
    const d = this.codec.dim;
    const file = this.residuals;
    if (!file) throw new XlirError("INTERNAL", `${this.dir}: search after close`);
    const sub = new Int32Array(docs.length + 1);
    for (let c = 0; c < docs.length; c++)
      sub[c + 1] = sub[c] + this.offsets[docs[c] + 1] - this.offsets[docs[c]];
    const rows = new Float32Array(sub[docs.length] * d);
    for (let c = 0; c < docs.length; c++) {
      const a = this.offsets[docs[c]];
      const b = this.offsets[docs[c] + 1];
      if (a === b) continue;
      const packed = file.read(a, b);
      decompress(this.codec, this.codes.subarray(a, b), packed, b - a, this.table, rows, sub[c]);
    }
    return { rows, offsets: sub };
  }

  async search(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const out: DocHit[][] = [];
    for (let i = 0; i + 1 < queries.offsets.length; i++) out.push(await this.searchOne(queries, i, k));
    return out;
  }

  private async searchOne(queries: TokenVectors, qi: number, k: number): Promise<DocHit[]> {
    const d = this.codec.dim;
    const nc = this.nc;
    const a = queries.offsets[qi];
    const lq = queries.offsets[qi + 1] - a;
    if (lq === 0 || this.docnos.length === 0) return [];
    const q = queries.vectors.subarray(a * d, (a + lq) * d);
    const S = await gemmABt(q, lq, this.codec.centroids, nc, d); // [lq, nc]
    const St = new Float32Array(nc * lq); // [nc, lq]
    for (let i = 0; i < lq; i++) for (let z = 0; z < nc; z++) St[z * lq + i] = S[i * nc + z];
    // 1. probe: per query token its nprobe best centroids, and the IVF estimate of every listed document.
    const np = Math.min(this.nprobe, nc);
    const floor = new Float32Array(lq);
    const docs: number[] = [];
    let part = new Float32Array(1024 * lq); // [candidates, lq]
    const probeIds = new Int32Array(lq * np); // [lq, np] best first
    const probeScores = new Float32Array(lq * np);
    for (let i = 0; i < lq; i++) {
      const o = i * np;
      let size = 0;
      for (let z = 0; z < nc; z++) {
        const s = S[i * nc + z];
        if (size === np && s <= probeScores[o + np - 1]) continue;
        let p = size < np ? size++ : np - 1;
        while (p > 0 && probeScores[o + p - 1] < s) {
          probeScores[o + p] = probeScores[o + p - 1];
          probeIds[o + p] = probeIds[o + p - 1];
          p--;
        }
        probeScores[o + p] = s;
        probeIds[o + p] = z;
      }
      floor[i] = probeScores[o + np - 1];
    }
    for (let i = 0; i < lq; i++) {
      for (let p = 0; p < np; p++) {
        const z = probeIds[i * np + p];
        const s = probeScores[i * np + p];
        for (let e = this.ivfOffsets[z]; e < this.ivfOffsets[z + 1]; e++) {
          const doc = this.ivf[e];
          let c = this.slot[doc];
          if (c < 0) {
            c = docs.length;
            this.slot[doc] = c;
            docs.push(doc);
            if ((c + 1) * lq > part.length) {
              const next = new Float32Array(part.length * 2);
              next.set(part);
              part = next;
            }
            part.set(floor, c * lq);
          }
          if (s > part[c * lq + i]) part[c * lq + i] = s;
        }
      }
    }
    for (const doc of docs) this.slot[doc] = -1;
    const est = new Float32Array(docs.length);
    for (let c = 0; c < docs.length; c++) {
      let sum = 0;
      for (let i = 0; i < lq; i++) sum += part[c * lq + i];
      est[c] = sum;
    }
    const depth = Math.max(this.candidates, k);
    const stage1 = topIndices(est, docs.length, 4 * depth);
    // 2. centroid interaction over the documents' codes.
    const ci = new Float32Array(stage1.length);
    const best = new Float32Array(lq);
    for (let c = 0; c < stage1.length; c++) {
      const doc = docs[stage1[c]];
      best.fill(-Infinity);
      for (let t = this.offsets[doc]; t < this.offsets[doc + 1]; t++) {
        const base = this.codes[t] * lq;
        for (let i = 0; i < lq; i++) if (St[base + i] > best[i]) best[i] = St[base + i];
      }
      let sum = 0;
      for (let i = 0; i < lq; i++) sum += best[i] === -Infinity ? 0 : best[i];
      ci[c] = sum;
    }
    const stage2 = Int32Array.from(topIndices(ci, stage1.length, depth), (c) => docs[stage1[c]]).sort();
    // 3. decompress and score by MaxSim.
    const { rows, offsets } = this.decompressDocs(stage2);
    const scores = await maxSimAll(
      { dim: d, vectors: q, offsets: Int32Array.from([0, lq]) },
      rows,
      offsets,
      d,
    ); // [1, cand]
    const h = new TopK(Math.min(k, stage2.length), this.ranks);
    for (let c = 0; c < stage2.length; c++) h.push(stage2[c], scores[c]);
    return h.sorted().map(({ id, score }) => ({ docno: this.docnos[id], score }));
  }

  close(): void {
    this.residuals?.close();
    this.residuals = null;
  }
}

function codecOf(dir: string, m: IndexManifest, centroids: Float32Array): ResidualCodec {
  const bp = m.buildParams as { nbits?: unknown; cutoffs?: unknown; weights?: unknown };
  const nbits = bp.nbits;
  if (nbits !== 1 && nbits !== 2 && nbits !== 4)
    throw new XlirError("CORRUPT", `${dir}/manifest.json: buildParams.nbits must be 1, 2 or 4`);
  const m2 = 2 ** nbits;
  const nums = (v: unknown, n: number, what: string): number[] => {
    if (
      !Array.isArray(v) ||
      (v.length !== n && v.length !== n * m.dim) ||
      !v.every((x) => typeof x === "number" && Number.isFinite(x))
    )
      throw new XlirError(
        "CORRUPT",
        `${dir}/manifest.json: buildParams.${what} must be ${n} numbers (shared) or ${n * m.dim} (per dimension)`,
      );
    return v as number[];
  };
  const cutoffs = nums(bp.cutoffs, m2 - 1, "cutoffs");
  const weights = nums(bp.weights, m2, "weights");
  if ((cutoffs.length === m2 - 1) !== (weights.length === m2))
    throw new XlirError(
      "CORRUPT",
      `${dir}/manifest.json: buildParams.cutoffs and weights must both be shared or both per dimension`,
    );
  return { dim: m.dim, nbits, centroids, cutoffs, weights };
}

async function loadPlaid(dir: string, m: IndexManifest, opts: VectorBuildOptions): Promise<PlaidIndex> {
  const nc = m.buildParams.centroids;
  if (typeof nc !== "number" || !Number.isInteger(nc) || nc < 1)
    throw new XlirError("CORRUPT", `${dir}/manifest.json: buildParams.centroids must be a positive integer`);
  const d = m.dim;
  const cf = RowFile.open(join(dir, CENTROIDS), nc, d * 4, `${nc} x ${d} float32 centroids`);
  const centroids = new Float32Array(nc * d);
  cf.read(0, nc, new Uint8Array(centroids.buffer));
  cf.close();
  const codec = codecOf(dir, m, centroids);
  const docnos = await readDocnos(dir, m.docCount);
  const offsets = await readOffsets(dir, m);
  const T = m.vectorCount;
  const codes =
    nc > 65536
      ? readInts(join(dir, codesFile(nc)), T, (n) => new Uint32Array(n), `${T} uint32 centroid codes`)
      : readInts(join(dir, codesFile(nc)), T, (n) => new Uint16Array(n), `${T} uint16 centroid codes`);
  for (let t = 0; t < T; t++)
    if (codes[t] >= nc)
      throw new XlirError(
        "CORRUPT",
        `${dir}/${codesFile(nc)}: code ${codes[t]} at token ${t} >= ${nc} centroids`,
      );
  const ivfOffsets = readInts(
    join(dir, IVF_OFFSETS),
    nc + 1,
    (n) => new Int32Array(n),
    `${nc + 1} int32 inverted-file offsets`,
  );
  const P = ivfOffsets[nc];
  if (ivfOffsets[0] !== 0 || P < 0 || P > T)
    throw new XlirError("CORRUPT", `${dir}/${IVF_OFFSETS}: offsets must run from 0 to at most ${T}`);
  const ivf = readInts(join(dir, IVF), P, (n) => new Int32Array(n), `${P} int32 inverted-file entries`);
  for (let e = 0; e < P; e++)
    if (ivf[e] < 0 || ivf[e] >= m.docCount)
      throw new XlirError("CORRUPT", `${dir}/${IVF}: entry ${e} names document ${ivf[e]} of ${m.docCount}`);
  const residuals = RowFile.open(
    join(dir, RESIDUALS),
    T,
    (d * codec.nbits) / 8,
    `${T} residual codes of ${d} x ${codec.nbits} bits`,
  );
  const bp = m.buildParams as { nprobe?: number; candidates?: number };
  return new PlaidIndex(
    dir,
    m,
    docnos,
    offsets,
    codec,
    codes,
    ivf,
    ivfOffsets,
    residuals,
    opts.nprobe ?? bp.nprobe ?? PLAID_DEFAULTS.nprobe,
    opts.candidates ?? opts.rerankDepth ?? bp.candidates ?? PLAID_DEFAULTS.candidates,
  );
}

export const plaidSpec: VectorKindSpec = {
  kind: "multi-plaid",
  description:
    "ColBERT token vectors compressed ColBERTv2-style (k-means centroid + 1-2 bit residuals); PLAID-style candidates from centroids, re-ranked on decompressed vectors",
  queryForm: "tokens",
  approximate: true,
  load: loadPlaid,
  write: writePlaid,
  memoryBytes: (m) => {
    const nc = typeof m.buildParams.centroids === "number" ? m.buildParams.centroids : 1;
    return m.vectorCount * ((nc > 65536 ? 4 : 2) + 4) + (m.docCount + 1) * 4 + nc * m.dim * 4;
  },
};
