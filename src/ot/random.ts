/**
 * A tiny seeded generator whose outputs are reproduced bit for bit by scripts/dev/ot_goldens.py
 * (xorshift32, 53-bit doubles from two draws), used to generate test and benchmark problems.
 */

/** xorshift32 (Marsaglia 2003) seeded by seed * 0x9E3779B1 + 1 (mod 2^32, 0 mapped to 1). */
export class XorShift32 {
  private x: number;
  constructor(seed: number) {
    this.x = (Math.imul(seed >>> 0, 0x9e3779b1) + 1) >>> 0;
    if (this.x === 0) this.x = 1;
    for (let k = 0; k < 8; k++) this.nextUint32();
  }
  nextUint32(): number {
    let x = this.x;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.x = x;
    return x;
  }
  /** Uniform double in [0, 1) with 53 random bits: ((x1 >> 5) * 2^26 + (x2 >> 6)) / 2^53. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

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
export function randomOtProblem(seed: number, opts: { maxSize?: number; m?: number; n?: number; dims?: number } = {}): RandomOtProblem {
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
