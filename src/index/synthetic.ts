/**
 * Seeded synthetic vectors for benchmarks and tests: points around random cluster centres on the
 * unit sphere, so that nearest-neighbour structure resembles real embeddings more than uniform noise.
 */
import { mulberry32 } from "../util/random.js";

/** Standard normal sample by Box-Muller. */
function gauss(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** L2-normalises every row in place.  x: [n, dim]. */
export function normalizeRows(x: Float32Array, dim: number): Float32Array {
  for (let r = 0; r * dim < x.length; r++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += x[r * dim + c] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < dim; c++) x[r * dim + c] *= inv;
  }
  return x;
}

export interface ClusteredOptions {
  n: number;
  dim: number;
  /** Number of cluster centres (default max(8, n / 100)); 0 = uniform on the sphere. */
  clusters?: number;
  /** Standard deviation of each coordinate around its centre, before normalisation (default 0.1). */
  spread?: number;
  seed: number;
}

/**
 * n unit vectors: x = normalise(c_z + spread * g), z uniform over centres c (themselves uniform on
 * the sphere), g standard normal.  -> [n, dim] and the cluster of each row [n].
 */
export function clusteredVectors(o: ClusteredOptions): {
  vectors: Float32Array;
  cluster: Int32Array;
  centres: Float32Array;
} {
  const rand = mulberry32(o.seed);
  const k = o.clusters ?? Math.max(8, Math.floor(o.n / 100));
  const spread = o.spread ?? 0.1;
  const centres = new Float32Array(Math.max(k, 1) * o.dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gauss(rand);
  normalizeRows(centres, o.dim);
  const vectors = new Float32Array(o.n * o.dim);
  const cluster = new Int32Array(o.n);
  for (let r = 0; r < o.n; r++) {
    const z = k > 0 ? Math.floor(rand() * k) : 0;
    cluster[r] = z;
    for (let c = 0; c < o.dim; c++) {
      vectors[r * o.dim + c] = (k > 0 ? centres[z * o.dim + c] : 0) + (k > 0 ? spread : 1) * gauss(rand);
    }
  }
  normalizeRows(vectors, o.dim);
  return { vectors, cluster, centres };
}

/** Document offsets for `n` token rows cut into documents of minLen..maxLen tokens.  -> [N + 1]. */
export function randomOffsets(n: number, minLen: number, maxLen: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const off = [0];
  while (off[off.length - 1] < n) {
    const len = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    off.push(Math.min(n, off[off.length - 1] + len));
  }
  return Int32Array.from(off);
}
