/**
 * Entropic optimal transport by Sinkhorn iterations on typed arrays (float64), matching POT 0.8's
 * `ot.sinkhorn(a, b, M, reg, method='sinkhorn_log' | 'sinkhorn', numItermax, stopThr)` update for
 * update: same initialisation, same update order (v then u), same stopping test (every 10th
 * iteration, ||P^T 1 - b||_2 < stopThr), so plans agree with POT's even when not converged.
 */
import type { OtResult, SinkhornOptions } from "./types.js";
import { XlirError } from "../errors.js";
import { columnLogUpdate, scaledPlan, sinkhornIterations, sinkhornLogAbsorbed } from "./sinkhorn-absorbed.js";
import { checkIterations, checkPositive, checkProblem, planStats, type OtProblem } from "./validate.js";

/**
 * Entropic OT: P* = argmin_{P in U(a, b)} <P, C>_F - eps H(P), H(P) = -sum_ij P_ij (log P_ij - 1)
 * (Cuturi 2013, "Sinkhorn distances", NeurIPS).
 *
 * Log domain (default; POT `sinkhorn_log`), with potentials u in R^m, v in R^n starting at 0:
 *   v_j = log b_j - logsumexp_i(-C_ij / eps + u_i);  u_i = log a_i - logsumexp_j(-C_ij / eps + v_j)
 *   P_ij = exp(-C_ij / eps + u_i + v_j)
 * (Computed by `sinkhornLogAbsorbed`: the same iterates with the potentials split into absorbed
 * parts and bounded scalings, so an iteration costs two mat-vecs instead of 2 m n exponentials;
 * `sinkhornLog` is the literal transcription, kept as the reference it is tested against.)
 * Plain (POT `sinkhorn_knopp`), K = exp(-C / eps), u = 1/m, v = 1/n:
 *   v = b / (K^T u);  u = a / (K v);  P = diag(u) K diag(v); on underflow/overflow the last
 *   finite (u, v) is kept and the solve stops unconverged, as POT does.
 *
 * @param a source marginal [m], non-negative; b target marginal [n]; sum(a) = sum(b).
 * @param cost row-major [m, n], finite.
 * @returns plan [m, n] row-major, <P, C>, iterations, converged, marginal error.
 * @example
 * ```ts
 * import { sinkhorn } from "xlir";
 * // two points to two points, crossing is expensive: C = [[0, 1], [1, 0]]
 * const r = sinkhorn([0.5, 0.5], [0.5, 0.5], [0, 1, 1, 0], { epsilon: 0.05 });
 * console.assert(r.converged && r.plan[0] > 0.49 && r.plan[1] < 0.01 && r.cost < 0.01);
 * ```
 */
export function sinkhorn(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  cost: ArrayLike<number>,
  options: SinkhornOptions,
): OtResult {
  const method = options.method ?? "log";
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-9;
  if (method !== "log" && method !== "plain")
    throw new XlirError("BAD_INPUT", `sinkhorn: method '${String(method)}'; expected "log" or "plain"`);
  checkPositive("sinkhorn", "epsilon", options.epsilon);
  checkIterations("sinkhorn", maxIterations);
  checkPositive("sinkhorn", "tolerance", tolerance);
  const p = checkProblem("sinkhorn", a, b, cost, options.massTolerance ?? 1e-6);
  const { plan, iterations, converged } =
    method === "plain"
      ? sinkhornPlain(p, options.epsilon, maxIterations, tolerance)
      : sinkhornLogAbsorbed(p, options.epsilon, maxIterations, tolerance);
  const stats = planStats(p, plan);
  return { plan, cost: stats.cost, iterations, converged, marginalError: stats.marginalError };
}

interface RawSolve {
  plan: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Log-domain Sinkhorn iterations (POT sinkhorn_log). */
/**
 * @example
 * ```ts
 * import { sinkhornLog } from "xlir";
 * const p = { a: Float64Array.of(0.5, 0.5), b: Float64Array.of(1), cost: Float64Array.of(0, 1), m: 2, n: 1, massA: 1, massB: 1 };
 * const r = sinkhornLog(p, 0.1, 100, 1e-9);
 * console.assert(Math.abs(r.plan[0] - 0.5) < 1e-9 && Math.abs(r.plan[1] - 0.5) < 1e-9);
 * ```
 */
export function sinkhornLog(
  p: OtProblem,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
): RawSolve {
  const { m, n } = p;
  const mr = new Float64Array(m * n); // [m, n] = -C / eps
  for (let k = 0; k < m * n; k++) mr[k] = -p.cost[k] / epsilon;
  const loga = p.a.map(Math.log);
  const logb = p.b.map(Math.log);
  const u = new Float64Array(m);
  const v = new Float64Array(n);
  const colMax = new Float64Array(n);
  const colSum = new Float64Array(n);
  const step = (): boolean => {
    columnLogUpdate(mr, u, logb, m, n, colMax, colSum, v); // v_j = log b_j - logsumexp_i(mr_ij + u_i)
    // u_i = log a_i - logsumexp_j(mr_ij + v_j): contiguous row reductions.
    for (let i = 0; i < m; i++) {
      const off = i * n;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) {
        const t = mr[off + j] + v[j];
        if (t > mx) mx = t;
      }
      if (!Number.isFinite(mx)) mx = 0;
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(mr[off + j] + v[j] - mx);
      u[i] = loga[i] - (Math.log(s) + mx);
    }
    return true;
  };
  const columnSums = (out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = u[i];
      for (let j = 0; j < n; j++) out[j] += Math.exp(mr[off + j] + ui + v[j]);
    }
  };
  const { iterations, converged } = sinkhornIterations(p.b, maxIterations, tolerance, step, columnSums);
  const plan = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) plan[off + j] = Math.exp(mr[off + j] + u[i] + v[j]);
  }
  return { plan, iterations, converged };
}

/** Plain-domain Sinkhorn-Knopp iterations (POT sinkhorn_knopp). */
/**
 * @example
 * ```ts
 * import { sinkhornPlain } from "xlir";
 * const p = { a: Float64Array.of(0.5, 0.5), b: Float64Array.of(1), cost: Float64Array.of(0, 1), m: 2, n: 1, massA: 1, massB: 1 };
 * const r = sinkhornPlain(p, 0.1, 100, 1e-9);
 * console.assert(Math.abs(r.plan[0] + r.plan[1] - 1) < 1e-9);
 * ```
 */
export function sinkhornPlain(
  p: OtProblem,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
): RawSolve {
  const { m, n } = p;
  const k = new Float64Array(m * n); // [m, n] = exp(-C / eps)
  for (let t = 0; t < m * n; t++) k[t] = Math.exp(p.cost[t] / -epsilon);
  let u = new Float64Array(m).fill(1 / m);
  let v = new Float64Array(n).fill(1 / n);
  let uNew = new Float64Array(m);
  let vNew = new Float64Array(n);
  const ktu = new Float64Array(n);
  /** v = b / (K^T u), u = a / (K v); false, keeping the previous (u, v), on underflow/overflow. */
  const step = (): boolean => {
    ktu.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = u[i];
      for (let j = 0; j < n; j++) ktu[j] += k[off + j] * ui; // K^T u
    }
    let bad = false;
    for (let j = 0; j < n; j++) {
      if (ktu[j] === 0) bad = true;
      vNew[j] = p.b[j] / ktu[j];
    }
    for (let i = 0; i < m; i++) {
      const off = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += k[off + j] * vNew[j]; // K v
      uNew[i] = p.a[i] / s;
    }
    for (let i = 0; i < m && !bad; i++) if (!Number.isFinite(uNew[i])) bad = true;
    for (let j = 0; j < n && !bad; j++) if (!Number.isFinite(vNew[j])) bad = true;
    if (bad) return false; // machine precision reached: keep the previous (u, v), report unconverged
    [u, uNew] = [uNew, u];
    [v, vNew] = [vNew, v];
    return true;
  };
  const columnSums = (out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < m; i++) {
      const off = i * n;
      const ui = u[i];
      for (let j = 0; j < n; j++) out[j] += ui * k[off + j] * v[j];
    }
  };
  const { iterations, converged } = sinkhornIterations(p.b, maxIterations, tolerance, step, columnSums);
  return { plan: scaledPlan(u, k, v, m, n), iterations, converged };
}
