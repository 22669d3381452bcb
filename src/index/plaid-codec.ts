/**
 * The residual codec of the `multi-plaid` index (see plaid.ts for the whole scheme): spherical
 * k-means centroids, the residual buckets (ColBERTv2's pooled quantiles or one set per dimension),
 * packing a token's residual into nbits bits a dimension and decompressing it. Written for the
 * index, also used to cluster sentence vectors (src/experiment/clusters.ts).
 */
import { XlirError } from "../errors.js";
import { Mulberry32 } from "../util/random.js";
import { nearestCentres } from "./exact.js";
import type { ChunkSource, VectorBuildOptions } from "./types.js";
/** Most tokens sampled for k-means (memory: this many rows of d floats). */
const MAX_TRAIN = 1 << 18;
/** Held-out tokens for the residual quantiles. */
const HELD_OUT = 1 << 14;

export const PLAID_DEFAULTS = {
  nbits: 2,
  buckets: "per-dim" as BucketMode,
  kmeansIterations: 8,
  pointsPerCentroid: 64,
  seed: 42,
  nprobe: 8,
  candidates: 256,
};

/** ColBERTv2's number of centroids for T tokens: 2^floor(log2(16 sqrt(T))), at most T. */
export function defaultCentroids(tokens: number): number {
  if (tokens <= 1) return 1;
  return Math.min(tokens, 2 ** Math.floor(Math.log2(16 * Math.sqrt(tokens))));
}

/** The residual codec of an index: centroids and bucket cutoffs/weights. */
export interface ResidualCodec {
  dim: number;
  nbits: number;
  /** [nc, dim], unit rows. */
  centroids: Float32Array;
  /** [2^nbits - 1] ascending, shared by all dimensions, or [dim, 2^nbits - 1] (per dimension). */
  cutoffs: number[];
  /** [2^nbits] bucket values, or [dim, 2^nbits] (per dimension). */
  weights: number[];
}

export function normaliseRow(x: Float32Array, at: number, d: number): void {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[at + j] * x[at + j];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < d; j++) x[at + j] *= inv;
}

/**
 * Spherical k-means by Lloyd iterations: assignment by largest inner product, centres the
 * normalised means; an empty cluster is re-seeded with a random point. x: [n, d] -> [k, d].
 *
 * @example
 * ```ts
 * import { Mulberry32, kmeans } from "xlir";
 * // two tight groups on the unit circle: near (1, 0) and near (0, 1)
 * const x = Float32Array.of(1, 0, 0.995, 0.0998, 0, 1, 0.0998, 0.995); // [4, 2]
 * const c = await kmeans(x, 4, 2, 2, 5, new Mulberry32(3)); // [2, 2]
 * const xs = [c[0], c[2]].sort((a, b) => a - b);
 * console.assert(xs[0] < 0.1 && xs[1] > 0.99); // one centre per group
 * console.assert(Math.abs(Math.hypot(c[0], c[1]) - 1) < 1e-5 && Math.abs(Math.hypot(c[2], c[3]) - 1) < 1e-5);
 * ```
 */
export async function kmeans(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  iterations: number,
  rand: Mulberry32,
): Promise<Float32Array> {
  if (k < 1 || k > n)
    throw new XlirError("USAGE", `k-means: ${k} centroids for ${n} points (need 1 <= centroids <= points)`);
  const c = new Float32Array(k * d);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rand.int(n - i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
    c.set(x.subarray(perm[i] * d, (perm[i] + 1) * d), i * d);
  }
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let it = 0; it < iterations; it++) {
    const assign = await nearestCentres(x, n, c, k, d);
    sums.fill(0);
    counts.fill(0);
    for (let r = 0; r < n; r++) {
      const z = assign[r];
      counts[z]++;
      for (let j = 0; j < d; j++) sums[z * d + j] += x[r * d + j];
    }
    for (let z = 0; z < k; z++) {
      if (counts[z] === 0) {
        const r = rand.int(n);
        c.set(x.subarray(r * d, (r + 1) * d), z * d);
        continue;
      }
      for (let j = 0; j < d; j++) c[z * d + j] = sums[z * d + j] / counts[z];
      normaliseRow(c, z * d, d);
    }
  }
  return c;
}

/** Linear-interpolation quantile of sorted values (as numpy/torch `quantile`). */
function quantile(sorted: Float32Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * How residual buckets are fitted (m = 2^b buckets, bucket of v: q = #{cutoffs < v}):
 *  - "pooled" (ColBERTv2): one set for all dimensions, cutoffs the quantiles i/m (i = 1..m-1)
 *    of all residual values pooled, values the quantiles (i + 0.5)/m;
 *  - "pooled-mean": the same cutoffs, values the means of the residual values in each bucket;
 *  - "per-dim": per dimension j, cutoffs the quantiles i/m of the residuals r_j and values the
 *    means of r_j within each bucket (the conditional means, which minimise the squared error
 *    for those cutoffs).
 */
export const BUCKET_MODES = ["pooled", "pooled-mean", "per-dim"] as const;
export type BucketMode = (typeof BUCKET_MODES)[number];

/** Cutoffs [m - 1] at the quantiles i/m of `sorted` and values [m] (mid-quantiles, or bucket means when `means`). */
function fitBuckets(
  sorted: Float32Array,
  m: number,
  means: boolean,
): { cutoffs: number[]; weights: number[] } {
  const cutoffs = Array.from({ length: m - 1 }, (_, i) => quantile(sorted, (i + 1) / m));
  const mid = Array.from({ length: m }, (_, i) => quantile(sorted, (i + 0.5) / m));
  if (!means) return { cutoffs, weights: mid };
  const sum = new Float64Array(m);
  const count = new Float64Array(m);
  let q = 0;
  for (let t = 0; t < sorted.length; t++) {
    const v = sorted[t];
    while (q < m - 1 && cutoffs[q] < v) q++;
    sum[q] += v;
    count[q]++;
  }
  return { cutoffs, weights: mid.map((w, i) => (count[i] > 0 ? sum[i] / count[i] : w)) };
}

/**
 * Bucket cutoffs and values from residual values. values: [n, dim] residual rows (or any values
 * when dim = 1). "pooled" and "pooled-mean" give cutoffs [m - 1] and weights [m] shared by all
 * dimensions; "per-dim" gives cutoffs [dim, m - 1] and weights [dim, m] (row j: dimension j).
 *
 * @example
 * ```ts
 * import { residualBuckets } from "xlir";
 * // pooled (the default mode), 1 bit: cutoff = median, weights = 25th and 75th percentiles
 * const { cutoffs, weights } = residualBuckets(Float32Array.of(0.3, -0.1, -0.3, 0.1), 1);
 * console.assert(cutoffs.length === 1 && Math.abs(cutoffs[0]) < 1e-7);
 * console.assert(Math.abs(weights[0] + 0.15) < 1e-6 && Math.abs(weights[1] - 0.15) < 1e-6);
 * ```
 */
export function residualBuckets(
  values: Float32Array,
  nbits: number,
  mode: BucketMode = "pooled",
  dim = 1,
): { cutoffs: number[]; weights: number[] } {
  const m = 2 ** nbits;
  if (mode !== "per-dim") return fitBuckets(Float32Array.from(values).sort(), m, mode === "pooled-mean");
  const n = Math.floor(values.length / dim);
  const col = new Float32Array(n);
  const cutoffs: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < dim; j++) {
    for (let r = 0; r < n; r++) col[r] = values[r * dim + j];
    const b = fitBuckets(col.sort(), m, true);
    cutoffs.push(...b.cutoffs);
    weights.push(...b.weights);
  }
  return { cutoffs, weights };
}

/** Whether the codec's buckets are per dimension ([dim, m - 1] cutoffs) rather than shared ([m - 1]). */
function perDim(codec: ResidualCodec): boolean {
  return codec.cutoffs.length !== 2 ** codec.nbits - 1;
}

/**
 * Packs the residuals of rows x [n, d] against their centroids into bytes [n, d b / 8]
 * (dimension j at bit j b of the row, least significant first).
 */
export function packResiduals(
  codec: ResidualCodec,
  x: Float32Array,
  codes: Int32Array | Uint16Array | Uint32Array,
  n: number,
): Uint8Array {
  const { dim: d, nbits: b, centroids, cutoffs } = codec;
  const m1 = 2 ** b - 1;
  const stride = perDim(codec) ? m1 : 0;
  const rowBytes = (d * b) / 8;
  const out = new Uint8Array(n * rowBytes);
  for (let r = 0; r < n; r++) {
    const cBase = codes[r] * d;
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j] - centroids[cBase + j];
      const c0 = j * stride;
      let q = 0;
      while (q < m1 && cutoffs[c0 + q] < v) q++;
      const bit = j * b;
      out[r * rowBytes + (bit >> 3)] |= q << (bit & 7);
    }
  }
  return out;
}

/**
 * For every byte position of a packed row and every byte value, the bucket values of the 8 / b
 * dimensions it holds. -> [d b / 8, 256, 8 / b].
 */
export function byteTable(codec: ResidualCodec): Float32Array {
  const per = 8 / codec.nbits;
  const m = 2 ** codec.nbits;
  const mask = m - 1;
  const rowBytes = codec.dim / per;
  const stride = perDim(codec) ? m : 0;
  const t = new Float32Array(rowBytes * 256 * per);
  for (let byte = 0; byte < rowBytes; byte++)
    for (let v = 0; v < 256; v++)
      for (let s = 0; s < per; s++)
        t[(byte * 256 + v) * per + s] =
          codec.weights[(byte * per + s) * stride + ((v >> (s * codec.nbits)) & mask)];
  return t;
}

/** Decompresses rows: x~ = normalise(C_code + w[q]).  codes [n], packed [n, d b / 8] -> [n, d] (into `out` at row `outRow` when given). */
export function decompress(
  codec: ResidualCodec,
  codes: ArrayLike<number>,
  packed: Uint8Array,
  n: number,
  table = byteTable(codec),
  out = new Float32Array(n * codec.dim),
  outRow = 0,
): Float32Array {
  const d = codec.dim;
  const per = 8 / codec.nbits;
  const rowBytes = d / per;
  const cen = codec.centroids;
  for (let r = 0; r < n; r++) {
    const cBase = codes[r] * d;
    const o = (outRow + r) * d;
    const pBase = r * rowBytes;
    let ss = 0;
    for (let byte = 0; byte < rowBytes; byte++) {
      const tb = (byte * 256 + packed[pBase + byte]) * per;
      const j0 = byte * per;
      for (let s = 0; s < per; s++) {
        const v = cen[cBase + j0 + s] + table[tb + s];
        out[o + j0 + s] = v;
        ss += v * v;
      }
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let j = 0; j < d; j++) out[o + j] *= inv;
  }
  return out;
}

/** Bernoulli sample of the source's rows with probability p. -> rows [m, d]. */
async function sampleRows(
  source: ChunkSource,
  p: number,
  rand: Mulberry32,
): Promise<{ rows: Float32Array; n: number }> {
  const d = source.dim;
  const cap = Math.min(source.vectorCount, Math.ceil(p * source.vectorCount * 1.1) + 64);
  let rows = new Float32Array(cap * d);
  let n = 0;
  for await (const c of source.chunks()) {
    const t = c.offsets[c.offsets.length - 1];
    for (let r = 0; r < t; r++) {
      if (p < 1 && rand.next() >= p) continue;
      if (n * d === rows.length) {
        const next = new Float32Array(rows.length * 2);
        next.set(rows);
        rows = next;
      }
      rows.set(c.vectors.subarray(r * d, (r + 1) * d), n * d);
      n++;
    }
  }
  return { rows, n };
}

/**
 * Trains the codec on a sample of the source: k-means centroids, then bucket quantiles on held-out tokens.
 *
 * @example
 * ```ts
 * import { Mulberry32, trainCodec } from "xlir";
 * // 16 unit token vectors of dimension 4, in one chunk of 4 documents with 4 tokens each
 * const rand = new Mulberry32(1);
 * const vectors = Float32Array.from({ length: 64 }, () => rand.next() - 0.5);
 * for (let r = 0; r < 16; r++) {
 *   const n = Math.hypot(...vectors.subarray(r * 4, r * 4 + 4));
 *   for (let j = 0; j < 4; j++) vectors[r * 4 + j] /= n;
 * }
 * const chunk = { vectors, offsets: Int32Array.of(0, 4, 8, 12, 16), docnos: ["a", "b", "c", "d"] };
 * const source = { dim: 4, docCount: 4, vectorCount: 16, chunks: () => [chunk] };
 * const { codec, trainPoints } = await trainCodec(source, { centroids: 4, nbits: 2 });
 * console.assert(codec.dim === 4 && codec.centroids.length === 4 * 4 && trainPoints === 16);
 * // 2 bits, per-dimension buckets (the default): for each of the 4 dimensions, 3 cutoffs
 * // between 4 bucket values, all ascending
 * console.assert(codec.cutoffs.length === 4 * 3 && codec.weights.length === 4 * 4);
 * for (let j = 0; j < 4; j++) {
 *   const c = codec.cutoffs.slice(j * 3, j * 3 + 3);
 *   const w = codec.weights.slice(j * 4, j * 4 + 4);
 *   console.assert(w.every((v, i) => i === 0 || (c[i - 1] >= w[i - 1] && v >= c[i - 1])));
 * }
 * ```
 */
export async function trainCodec(
  source: ChunkSource,
  o: VectorBuildOptions,
): Promise<{ codec: ResidualCodec; trainPoints: number; heldOutPoints: number; avgResidual: number }> {
  const d = source.dim;
  const T = source.vectorCount;
  const nbits = o.nbits ?? PLAID_DEFAULTS.nbits;
  if (nbits !== 1 && nbits !== 2 && nbits !== 4)
    throw new XlirError("USAGE", `--nbits must be 1, 2 or 4, got ${nbits}`);
  if ((d * nbits) % 8 !== 0)
    throw new XlirError("USAGE", `multi-plaid needs dim * nbits divisible by 8 (dim ${d}, nbits ${nbits})`);
  if (T < 1) throw new XlirError("BAD_INPUT", "multi-plaid: no token vectors to index");
  const nc = Math.min(T, o.centroids ?? defaultCentroids(T));
  if (nc < 1) throw new XlirError("USAGE", `--centroids must be >= 1, got ${nc}`);
  const rand = new Mulberry32(o.seed ?? PLAID_DEFAULTS.seed);
  const trainWanted = Math.min(T, nc * (o.pointsPerCentroid ?? PLAID_DEFAULTS.pointsPerCentroid), MAX_TRAIN);
  const heldWanted = Math.min(T, HELD_OUT);
  const { rows, n } = await sampleRows(source, Math.min(1, (trainWanted + heldWanted) / T), rand);
  // Shuffle the sample; hold out the tail when the sample is large enough, else reuse it all.
  for (let i = n - 1; i > 0; i--) {
    const j = rand.int(i + 1);
    if (i !== j) {
      const a = rows.slice(i * d, (i + 1) * d);
      rows.copyWithin(i * d, j * d, (j + 1) * d);
      rows.set(a, j * d);
    }
  }
  const held = n >= 2 * heldWanted ? Math.min(heldWanted, n - nc) : n;
  const train = held === n ? n : n - held;
  const centroids = await kmeans(
    rows.subarray(0, train * d),
    train,
    d,
    Math.min(nc, train),
    o.kmeansIterations ?? PLAID_DEFAULTS.kmeansIterations,
    rand,
  );
  const heldRows = held === n ? rows.subarray(0, n * d) : rows.subarray(train * d, n * d);
  const heldCodes = await nearestCentres(heldRows, held, centroids, centroids.length / d, d);
  const residuals = new Float32Array(held * d);
  let abs = 0;
  for (let r = 0; r < held; r++) {
    for (let j = 0; j < d; j++) {
      const v = heldRows[r * d + j] - centroids[heldCodes[r] * d + j];
      residuals[r * d + j] = v;
      abs += Math.abs(v);
    }
  }
  const mode = o.buckets ?? PLAID_DEFAULTS.buckets;
  if (!(BUCKET_MODES as readonly string[]).includes(mode))
    throw new XlirError("USAGE", `--buckets must be one of ${BUCKET_MODES.join(", ")}, got ${mode}`);
  const { cutoffs, weights } = residualBuckets(residuals, nbits, mode, d);
  return {
    codec: { dim: d, nbits, centroids, cutoffs, weights },
    trainPoints: train,
    heldOutPoints: held,
    avgResidual: abs / Math.max(1, held * d),
  };
}
