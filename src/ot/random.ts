/**
 * Random OT problems for tests and benchmarks (not part of the public API: import this file by
 * path), drawn with XorShift32 (src/util/random.ts) so that scripts/dev/ot_goldens.py reproduces
 * them bit for bit.
 */
import { XorShift32 } from "../util/random.js";

export { XorShift32 };

/** A random OT problem: marginals and a squared-Euclidean cost between random points. */
export interface RandomOtProblem {
  m: number;
  n: number;
  a: Float64Array; // [m], sums to 1 (up to rounding)
  b: Float64Array; // [n]
  cost: Float64Array; // [m, n] row-major
}

/**
 * Problem of the golden tests (same draws as ot_goldens.py `problem`): points x_i, y_j uniform in
 * [0,1)^d, C_ij = sum_k (x_ik - y_jk)^2; weights w = 0.05 + U[0,1) normalised by their
 * left-to-right sum. m and n are drawn in [1, maxSize] unless fixed.
 */
export function randomOtProblem(
  seed: number,
  opts: { maxSize?: number; m?: number; n?: number; dims?: number } = {},
): RandomOtProblem {
  const rng = new XorShift32(seed);
  const maxSize = opts.maxSize ?? 64;
  const dm = rng.int(1, maxSize);
  const dn = rng.int(1, maxSize);
  const dd = rng.int(2, 8);
  const m = opts.m ?? dm;
  const n = opts.n ?? dn;
  const d = opts.dims ?? dd;
  const weights = (k: number): Float64Array => {
    const w = new Float64Array(k);
    let s = 0;
    for (let i = 0; i < k; i++) {
      w[i] = 0.05 + rng.next();
      s += w[i];
    }
    for (let i = 0; i < k; i++) w[i] /= s;
    return w;
  };
  const a = weights(m);
  const b = weights(n);
  const x = new Float64Array(m * d);
  const y = new Float64Array(n * d);
  for (let t = 0; t < m * d; t++) x[t] = rng.next();
  for (let t = 0; t < n * d; t++) y[t] = rng.next();
  const cost = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[i * d + k] - y[j * d + k];
        s += diff * diff;
      }
      cost[i * n + j] = s;
    }
  }
  return { m, n, a, b, cost };
}
