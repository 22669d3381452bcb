/**
 * Unbalanced entropic optimal transport (KL-relaxed marginals) on typed arrays, matching POT 0.8's
 * `ot.unbalanced.sinkhorn_unbalanced(a, b, M, reg, reg_m, method='sinkhorn')` (Chizat et al.
 * 2018, "Scaling algorithms for unbalanced optimal transport problems", Math. Comp.), computed in
 * the log domain so that small eps does not underflow.
 */
import type { OtResult, UnbalancedOptions } from "./types.js";
import { checkIterations, checkPositive, checkProblem, planStats } from "./validate.js";

/**
 * P* = argmin_P <P, C>_F - eps H(P) + rho KL(P 1 | a) + rho KL(P^T 1 | b).
 * With f = rho / (rho + eps), K = exp(-C / eps), u = 1/m, v = 1/n (POT's start), iterate
 *   u = (a / (K v))^f;  v = (b / (K^T u))^f  (here as log u, log v with logsumexp)
 * and stop when (|du|_inf / max(|u|_inf, |u_prev|_inf, 1) + same for v) / 2 < tolerance, tested
 * every iteration as POT does. Plan P = diag(u) K diag(v).
 *
 * @param a [m], b [n] non-negative (masses may differ); cost row-major [m, n].
 * @returns plan [m, n]; marginalError measures how far the relaxed marginals are from a and b.
 * @example
 * ```ts
 * import { sinkhornUnbalanced } from "xlir";
 * // unequal masses are allowed: the KL relaxation decides how much is moved
 * const r = sinkhornUnbalanced([1, 1], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.1, marginalRelaxation: 1 });
 * const moved = r.plan.reduce((s, x) => s + x, 0);
 * console.assert(moved > 0.5 && moved < 2);
 * ```
 */
export function sinkhornUnbalanced(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  cost: ArrayLike<number>,
  options: UnbalancedOptions,
): OtResult {
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-6;
  const eps = options.epsilon;
  checkPositive("sinkhornUnbalanced", "epsilon", eps);
  checkPositive("sinkhornUnbalanced", "marginalRelaxation", options.marginalRelaxation);
  checkPositive("sinkhornUnbalanced", "tolerance", tolerance);
  checkIterations("sinkhornUnbalanced", maxIterations);
  const p = checkProblem("sinkhornUnbalanced", a, b, cost, null);
  const { m, n } = p;
  const f = options.marginalRelaxation / (options.marginalRelaxation + eps);
  const logk = new Float64Array(m * n); // [m, n] = -C / eps
  for (let t = 0; t < m * n; t++) logk[t] = p.cost[t] / -eps;
  const loga = p.a.map(Math.log);
  const logb = p.b.map(Math.log);
  const logu = new Float64Array(m).fill(Math.log(1 / m));
  const logv = new Float64Array(n).fill(Math.log(1 / n));
  const uPrev = new Float64Array(m);
  const vPrev = new Float64Array(n);
  const colMax = new Float64Array(n);
  const colSum = new Float64Array(n);
  let converged = false;
  let it = 0;
  while (it < maxIterations) {
    for (let i = 0; i < m; i++) uPrev[i] = Math.exp(logu[i]);
    for (let j = 0; j < n; j++) vPrev[j] = Math.exp(logv[j]);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) mx = Math.max(mx, logk[off + j] + logv[j]);
      if (!Number.isFinite(mx)) mx = 0;
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(logk[off + j] + logv[j] - mx);
      logu[i] = f * (loga[i] - (Math.log(s) + mx));
    }
    colMax.fill(-Infinity);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      for (let j = 0; j < n; j++) colMax[j] = Math.max(colMax[j], logk[off + j] + logu[i]);
    }
    for (let j = 0; j < n; j++) if (!Number.isFinite(colMax[j])) colMax[j] = 0;
    colSum.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      for (let j = 0; j < n; j++) colSum[j] += Math.exp(logk[off + j] + logu[i] - colMax[j]);
    }
    for (let j = 0; j < n; j++) logv[j] = f * (logb[j] - (Math.log(colSum[j]) + colMax[j]));
    it++;
    const err = 0.5 * (relativeChange(logu, uPrev) + relativeChange(logv, vPrev));
    if (err < tolerance) {
      converged = true;
      break;
    }
  }
  const plan = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) plan[off + j] = Math.exp(logu[i] + logk[off + j] + logv[j]);
  }
  const stats = planStats(p, plan);
  return { plan, cost: stats.cost, iterations: it, converged, marginalError: stats.marginalError };
}

/** max|x - prev| / max(max|x|, max|prev|, 1) with x = exp(logX). */
function relativeChange(logX: Float64Array, prev: Float64Array): number {
  let diff = 0;
  let big = 1;
  for (let i = 0; i < logX.length; i++) {
    const x = Math.exp(logX[i]);
    diff = Math.max(diff, Math.abs(x - prev[i]));
    big = Math.max(big, Math.abs(x), Math.abs(prev[i]));
  }
  return diff / big;
}
