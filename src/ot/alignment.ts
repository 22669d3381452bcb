/** Token-to-token alignment of two sentences by entropic OT (what the OT loss sees), on typed arrays. */
import { XlirError } from "../errors.js";
import { sinkhorn } from "./sinkhorn.js";
import type { OtResult } from "./types.js";

export interface TokenAlignment extends OtResult {
  /** 1 - cos(x_i, y_j), row-major [m, n]. */
  costMatrix: Float64Array;
  /** For each row token, the column with the largest plan entry. */
  best: Int32Array;
  /** For each row token, the share of its mass sent to `best` (P_i,best / sum_j P_ij). */
  bestShare: Float64Array;
}

/**
 * C_ij = 1 - <x_i, y_j> / (||x_i|| ||y_j||), uniform marginals 1/m and 1/n, P = sinkhorn(a, b, C; eps)
 * (log domain). @param x [m, d] and y [n, d] row-major token vectors.
 * @example
 * ```ts
 * import { alignTokenVectors } from "xlir";
 * // 2 foreign token vectors against 2 English ones (d = 2), swapped order
 * const x = [1, 0, 0, 1];
 * const y = [0, 1, 1, 0];
 * const a = alignTokenVectors(x, y, 2, { epsilon: 0.02 });
 * console.assert(a.plan[1] > a.plan[0]); // token 0 goes to column 1
 * ```
 */
export function alignTokenVectors(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  options: { epsilon: number; maxIterations?: number; tolerance?: number },
): TokenAlignment {
  if (d <= 0 || x.length % d !== 0 || y.length % d !== 0 || x.length === 0 || y.length === 0) {
    throw new XlirError(
      "BAD_INPUT",
      `alignTokenVectors: ${x.length} and ${y.length} values are not non-empty multiples of d = ${d}`,
    );
  }
  const m = x.length / d;
  const n = y.length / d;
  const norm = (v: ArrayLike<number>, r: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) s += v[r * d + k] ** 2;
    return Math.sqrt(s) || 1;
  };
  const nx = Array.from({ length: m }, (_, i) => norm(x, i));
  const ny = Array.from({ length: n }, (_, j) => norm(y, j));
  const cost = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k] * y[j * d + k];
      cost[i * n + j] = 1 - s / (nx[i] * ny[j]);
    }
  const res = sinkhorn(new Float64Array(m).fill(1 / m), new Float64Array(n).fill(1 / n), cost, {
    epsilon: options.epsilon,
    maxIterations: options.maxIterations ?? 1000,
    tolerance: options.tolerance ?? 1e-9,
  });
  const best = new Int32Array(m);
  const bestShare = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let b = 0;
    let s = 0;
    for (let j = 0; j < n; j++) {
      s += res.plan[i * n + j];
      if (res.plan[i * n + j] > res.plan[i * n + b]) b = j;
    }
    best[i] = b;
    bestShare[i] = s > 0 ? res.plan[i * n + b] / s : 0;
  }
  return { ...res, costMatrix: cost, best, bestShare };
}
