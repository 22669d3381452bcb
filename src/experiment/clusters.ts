/**
 * Topic clusters of the bitext's English sentences for clustered batches (`students.clusteredBatches`):
 * spherical k-means over the teacher's sentence vectors (the mean of its token vectors,
 * normalised), so that a batch drawn from one cluster holds topically close English sentences and
 * the contrastive loss's in-batch negatives are harder.
 */
import { XlirError } from "../errors.js";
import { nearestCentres } from "../index/exact.js";
import { kmeans, normaliseRow } from "../index/plaid-codec.js";
import type { TokenVectors } from "../models/types.js";
import type { DistillPair } from "../train/distill.js";
import { Mulberry32, mixSeed } from "../util/random.js";

/** Lloyd iterations of the clustering (the assignments change little after a few). */
const ITERATIONS = 10;

/**
 * The cluster of every text of `english` (k-means with `k` centres over the normalised mean
 * token vectors; seeded, so the same inputs give the same clusters).
 * @example
 * ```ts
 * import { englishClusters } from "xlir";
 * // four one-token texts: two near (1, 0), two near (0, 1)
 * const english = {
 *   dim: 2,
 *   vectors: Float32Array.of(1, 0, 0.995, 0.0998, 0, 1, 0.0998, 0.995),
 *   offsets: Int32Array.of(0, 1, 2, 3, 4),
 * };
 * const c = await englishClusters(english, 2, 7);
 * console.assert(c[0] === c[1] && c[2] === c[3] && c[0] !== c[2]);
 * ```
 */
export async function englishClusters(english: TokenVectors, k: number, seed: number): Promise<Int32Array> {
  const n = english.offsets.length - 1;
  const d = english.dim;
  if (k > n)
    throw new XlirError("CONFIG", `students.clusteredBatches: ${k} clusters for ${n} English sentences`);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * d, (i + 1) * d);
    for (let t = english.offsets[i]; t < english.offsets[i + 1]; t++)
      for (let j = 0; j < d; j++) row[j] += english.vectors[t * d + j];
    normaliseRow(x, i * d, d);
  }
  const centres = await kmeans(x, n, d, k, ITERATIONS, new Mulberry32(mixSeed(seed, 0, 0xc105)));
  return nearestCentres(x, n, centres, k, d);
}

/**
 * The batch group of every pair: the cluster of its English side.
 * @example
 * ```ts
 * import { pairGroups } from "xlir";
 * const pairs = [
 *   { foreign: "a", english: "x", englishIndex: 1 },
 *   { foreign: "b", english: "y", englishIndex: 0 },
 * ];
 * console.assert(pairGroups(pairs, Int32Array.of(5, 9)).join() === "9,5");
 * ```
 */
export function pairGroups(pairs: readonly DistillPair[], clusters: Int32Array): Int32Array {
  return Int32Array.from(pairs, (p) => {
    const g = clusters[p.englishIndex];
    if (g === undefined)
      throw new XlirError(
        "MISMATCH",
        `English sentence ${p.englishIndex} has no cluster (${clusters.length} clustered)`,
      );
    return g;
  });
}
