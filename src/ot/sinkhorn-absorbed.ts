/**
 * Fast log-domain Sinkhorn: the log potentials (u, v) are kept as absorbed parts (ubar, vbar)
 * plus bounded scalings (us, vs) so that an iteration is two matrix-vector products instead of
 * 2 m n exponentials (Schmitzer 2019, "Stabilized sparse scaling algorithms for entropy
 * regularized transport problems", SIAM J. Sci. Comput.). In exact arithmetic every iterate equals
 * POT's `sinkhorn_log` (u = ubar + log us, v = vbar + log vs); in float64 the plans agree to ~1e-15.
 */
import type { OtProblem } from "./validate.js";

/**
 * The column half of a log-domain Sinkhorn iteration, in place:
 *   v_j = log b_j - logsumexp_i(mr_ij + u_i),   mr = -C / eps  [m, n] row-major
 * (column reductions traversed row by row; a column whose maximum is not finite uses 0 as its
 * shift, scipy's logsumexp rule). colMax and colSum are [n] scratch arrays.
 */
export function columnLogUpdate(
  mr: Float64Array,
  u: Float64Array,
  logb: ArrayLike<number>,
  m: number,
  n: number,
  colMax: Float64Array,
  colSum: Float64Array,
  v: Float64Array,
): void {
  colMax.fill(-Infinity);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    const ui = u[i];
    for (let j = 0; j < n; j++) {
      const t = mr[off + j] + ui;
      if (t > colMax[j]) colMax[j] = t;
    }
  }
  for (let j = 0; j < n; j++) if (!Number.isFinite(colMax[j])) colMax[j] = 0;
  colSum.fill(0);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    const ui = u[i];
    for (let j = 0; j < n; j++) colSum[j] += Math.exp(mr[off + j] + ui - colMax[j]);
  }
  for (let j = 0; j < n; j++) v[j] = logb[j] - (Math.log(colSum[j]) + colMax[j]);
}

/**
 * The loop shared by the Sinkhorn solvers (POT's): `step` runs up to maxIterations times; after
 * iterations 0, 10, 20, ... `columnSums` fills its [n] argument with the current plan's column
 * sums P^T 1, and the loop stops, converged, once ||P^T 1 - b||_2 < tolerance. A step that returns
 * false ends the loop uncounted and unconverged (machine precision reached; the solver keeps its
 * previous iterate).
 */
export function sinkhornIterations(
  b: ArrayLike<number>,
  maxIterations: number,
  tolerance: number,
  step: () => boolean,
  columnSums: (out: Float64Array) => void,
): { iterations: number; converged: boolean } {
  const n = b.length;
  const sums = new Float64Array(n);
  let it = 0;
  while (it < maxIterations) {
    if (!step()) break;
    const check = it % 10 === 0;
    it++;
    if (check) {
      columnSums(sums);
      let err = 0;
      for (let j = 0; j < n; j++) err += (sums[j] - b[j]) ** 2;
      if (Math.sqrt(err) < tolerance) return { iterations: it, converged: true };
    }
  }
  return { iterations: it, converged: false };
}

/** The plan diag(u) K diag(v): P_ij = u_i K_ij v_j, K [m, n] row-major. */
export function scaledPlan(
  u: Float64Array,
  k: Float64Array,
  v: Float64Array,
  m: number,
  n: number,
): Float64Array {
  const plan = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) plan[off + j] = u[i] * k[off + j] * v[j];
  }
  return plan;
}

const LOW = 1e-50; // scalings outside [LOW, HIGH] are absorbed into the potentials
const HIGH = 1e50;

/**
 * Same iteration and stopping rule as `sinkhornLog` (v then u; every 10th iteration stop when
 * ||P^T 1 - b||_2 < tolerance). Kernel kt_ij = exp(-C_ij / eps + ubar_i + vbar_j) [m, n];
 * fast step: vs = b / (kt^T us) * 1, us = a / (kt vs); a step whose denominators vanish or overflow
 * is redone exactly in the log domain, which also re-absorbs (so small eps never yields NaN).
 */
export function sinkhornLogAbsorbed(
  p: OtProblem,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
): { plan: Float64Array; iterations: number; converged: boolean } {
  const { m, n, a, b } = p;
  const mn = m * n;
  const mr = new Float64Array(mn); // [m, n] = -C / eps
  for (let k = 0; k < mn; k++) mr[k] = -p.cost[k] / epsilon;
  const loga = a.map(Math.log);
  const logb = b.map(Math.log);
  const ubar = new Float64Array(m);
  const vbar = new Float64Array(n);
  const us = new Float64Array(m).fill(1);
  const vs = new Float64Array(n).fill(1);
  const kt = new Float64Array(mn);
  const tmpU = new Float64Array(m);
  const tmpV = new Float64Array(n);
  const colMax = new Float64Array(n);
  const colSum = new Float64Array(n);

  const rebuildKernel = (): void => {
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = ubar[i];
      for (let j = 0; j < n; j++) kt[off + j] = Math.exp(mr[off + j] + ui + vbar[j]);
    }
  };
  /**
   * Exact log-domain iteration from u = ubar + log us (POT's update); leaves ubar = u, vbar = v,
   * scalings 1 and the kernel equal to the new plan. Two passes of exponentials: the second,
   * e_ij = exp(mr_ij + v_j - rowMax_i), gives both u_i = log a_i - log(sum_j e_ij) - rowMax_i and
   * the kernel kt_ij = e_ij * a_i / sum_j e_ij.
   */
  const logStep = (): void => {
    for (let i = 0; i < m; i++) if (a[i] > 0) ubar[i] += Math.log(us[i]);
    columnLogUpdate(mr, ubar, logb, m, n, colMax, colSum, vbar);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) mx = Math.max(mx, mr[off + j] + vbar[j]);
      if (!Number.isFinite(mx)) mx = 0;
      let s = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(mr[off + j] + vbar[j] - mx);
        kt[off + j] = e;
        s += e;
      }
      ubar[i] = loga[i] - (Math.log(s) + mx);
      const scale = a[i] / s;
      for (let j = 0; j < n; j++) kt[off + j] *= scale;
    }
    us.fill(1);
    vs.fill(1);
  };
  /** One scaling iteration into tmpV / tmpU; false (nothing changed) if a denominator is 0 or not finite. */
  const fastStep = (): boolean => {
    tmpV.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = us[i];
      for (let j = 0; j < n; j++) tmpV[j] += kt[off + j] * ui; // kt^T us
    }
    for (let j = 0; j < n; j++) {
      if (b[j] === 0) {
        tmpV[j] = 1; // vbar_j = -inf already makes column j zero
        continue;
      }
      tmpV[j] = b[j] / tmpV[j];
      if (!(tmpV[j] > 0 && tmpV[j] < Infinity)) return false;
    }
    for (let i = 0; i < m; i++) {
      if (a[i] === 0) {
        tmpU[i] = 1;
        continue;
      }
      const off = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += kt[off + j] * tmpV[j]; // kt vs
      tmpU[i] = a[i] / s;
      if (!(tmpU[i] > 0 && tmpU[i] < Infinity)) return false;
    }
    us.set(tmpU);
    vs.set(tmpV);
    return true;
  };
  const outOfRange = (xs: Float64Array, weights: Float64Array): boolean => {
    for (let k = 0; k < xs.length; k++) if (weights[k] > 0 && (xs[k] < LOW || xs[k] > HIGH)) return true;
    return false;
  };

  let first = true;
  const step = (): boolean => {
    if (first || !fastStep()) logStep();
    else if (outOfRange(us, a) || outOfRange(vs, b)) {
      for (let i = 0; i < m; i++) ubar[i] += a[i] > 0 ? Math.log(us[i]) : 0;
      for (let j = 0; j < n; j++) vbar[j] += b[j] > 0 ? Math.log(vs[j]) : 0;
      us.fill(1);
      vs.fill(1);
      rebuildKernel();
    }
    first = false;
    return true;
  };
  const columnSums = (out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = us[i];
      for (let j = 0; j < n; j++) out[j] += ui * kt[off + j];
    }
    for (let j = 0; j < n; j++) out[j] *= vs[j];
  };
  const { iterations, converged } = sinkhornIterations(b, maxIterations, tolerance, step, columnSums);
  return { plan: scaledPlan(us, kt, vs, m, n), iterations, converged };
}
