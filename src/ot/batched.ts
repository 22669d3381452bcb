/**
 * Batched log-domain Sinkhorn on the libtorch engine, for training: B problems of different sizes
 * padded to [B, m, n], padding marked by zero marginal weight.
 */
import { XlirError } from "../errors.js";
import { tensor, tidy, where, type Tensor } from "../engine/index.js";

/** Log-weight of padded rows/columns: a large finite negative (not -inf, which gives NaN). */
export const MASKED_LOG_WEIGHT = -1e9;

/** Options of `sinkhornBatched`. */
export interface BatchedSinkhornOptions {
  /** Entropic regularisation eps > 0. */
  epsilon: number;
  /** Iteration cap. Default 100. */
  maxIterations?: number;
  /** A problem stops when ||P^T 1 - b||_2 < tolerance, tested every 10th iteration as in `sinkhorn`. Default 1e-6. */
  tolerance?: number;
}

/** Plan and convergence report of a batched solve. */
export interface BatchedSinkhornResult {
  /** [B, m, n]; zero on padded rows and columns. Differentiable w.r.t. the cost unless solved under noGrad. */
  plan: Tensor;
  /** [B]: iterations each problem ran (it stops updating once converged). */
  iterations: Int32Array;
  /** [B]: whether each problem met the tolerance. */
  converged: boolean[];
  /** [B]: ||P^T 1 - b||_2 at the last test. */
  marginalError: Float64Array;
  meanIterations: number;
  convergedFraction: number;
}

/**
 * For each problem k, P*_k = argmin_{P in U(a_k, b_k)} <P, C_k>_F - eps H(P) by the log-domain
 * updates of `sinkhorn` (POT sinkhorn_log; u = v = 0 at the start):
 *   v = log b - logsumexp_i(-C/eps + u_i)   // [B, n]
 *   u = log a - logsumexp_j(-C/eps + v_j)   // [B, m]
 *   P = exp(-C/eps + u + v)                 // [B, m, n]
 * Padded rows/columns have weight 0 and log-weight MASKED_LOG_WEIGHT. A problem that has converged
 * keeps its (u, v), so each plan equals `sinkhorn(a_k, b_k, C_k)` on the unpadded problem.
 * Run under `noGrad` for the envelope-theorem loss; with autograd on, gradients flow through the
 * unrolled iterations.
 *
 * @param cost [B, m, n] (finite also on padding), a [B, m] >= 0, b [B, n] >= 0, sum a_k = sum b_k > 0.
 * @example
 * ```ts
 * import { sinkhornBatched, tensor } from "xlir";
 * // B = 1 problem, m = n = 2, uniform marginals
 * const cost = tensor([0, 1, 1, 0], [1, 2, 2], "float64");
 * const a = tensor([0.5, 0.5], [1, 2], "float64");
 * const r = sinkhornBatched(cost, a, a, { epsilon: 0.05 });
 * console.assert(r.convergedFraction === 1 && r.plan.toFloat64()[0] > 0.49);
 * ```
 */
export function sinkhornBatched(
  cost: Tensor,
  a: Tensor,
  b: Tensor,
  options: BatchedSinkhornOptions,
): BatchedSinkhornResult {
  const eps = options.epsilon;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  if (!(eps > 0 && Number.isFinite(eps)))
    throw new XlirError("BAD_INPUT", `sinkhornBatched: epsilon = ${eps}; expected a finite number > 0`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1))
    throw new XlirError(
      "BAD_INPUT",
      `sinkhornBatched: maxIterations = ${maxIterations}; expected an integer >= 1`,
    );
  const [B, m, n] = cost.shape;
  if (cost.shape.length !== 3 || a.shape.join() !== [B, m].join() || b.shape.join() !== [B, n].join()) {
    throw new XlirError(
      "BAD_INPUT",
      `sinkhornBatched: shapes cost [${cost.shape}], a [${a.shape}], b [${b.shape}]; expected [B, m, n], [B, m], [B, n]`,
    );
  }
  checkMasses(a, b);
  const dtype = cost.dtype;
  const iterations = new Int32Array(B);
  const converged = new Array<boolean>(B).fill(false);
  const marginalError = new Float64Array(B).fill(Infinity);

  const { mr, loga, logb, bw } = tidy(() => {
    const aw = a.to(dtype);
    const bw = b.to(dtype);
    return {
      mr: cost.mul(-1 / eps), // [B, m, n]
      loga: where(aw.gt(0), aw.clamp(1e-300).log(), MASKED_LOG_WEIGHT), // [B, m]
      logb: where(bw.gt(0), bw.clamp(1e-300).log(), MASKED_LOG_WEIGHT), // [B, n]
      bw,
    };
  });
  // [B, m]: 0 on real rows (POT's start), masked on padding so that padded rows never enter a logsumexp
  let u = tidy(() => loga.mul(0).maskedFill(loga.le(MASKED_LOG_WEIGHT / 2), MASKED_LOG_WEIGHT));
  let v = tidy(() => logb.mul(0)); // [B, n]
  let done: Tensor | null = null; // [B] bool: converged problems are frozen
  let it = 0;
  while (it < maxIterations) {
    const frozen = done;
    const next = tidy(() => {
      const vNew = logb.sub(mr.add(u.unsqueeze(2)).logsumexp(1)); // [B, n]
      const uNew = loga.sub(mr.add(vNew.unsqueeze(1)).logsumexp(2)); // [B, m]
      if (frozen === null) return { u: uNew, v: vNew };
      return { u: where(frozen.unsqueeze(1), u, uNew), v: where(frozen.unsqueeze(1), v, vNew) };
    });
    u.free();
    v.free();
    u = next.u;
    v = next.v;
    const check = it % 10 === 0;
    it++;
    for (let k = 0; k < B; k++) if (!converged[k]) iterations[k] = it;
    if (check || it === maxIterations) {
      const err = tidy(() => planOf(mr, u, v).sum(1).sub(bw).pow(2).sum(1).sqrt().toFloat64()); // [B]
      for (let k = 0; k < B; k++) {
        if (converged[k]) continue;
        marginalError[k] = err[k];
        if (check && err[k] < tolerance) converged[k] = true;
      }
      if (converged.every(Boolean)) break;
      if (check && converged.some(Boolean)) {
        done?.free();
        done = tensor(Uint8Array.from(converged, Number), [B], "bool");
      }
    }
  }
  const plan = planOf(mr, u, v);
  for (const t of [mr, loga, logb, bw, u, v]) t.free();
  done?.free();
  let sumIt = 0;
  for (const x of iterations) sumIt += x;
  return {
    plan,
    iterations,
    converged,
    marginalError,
    meanIterations: sumIt / B,
    convergedFraction: converged.filter(Boolean).length / B,
  };
}

function planOf(mr: Tensor, u: Tensor, v: Tensor): Tensor {
  return tidy(() => mr.add(u.unsqueeze(2)).add(v.unsqueeze(1)).exp()); // [B, m, n]
}

/** Every problem needs positive mass on both sides and equal masses (relative 1e-4: float32 training). */
function checkMasses(a: Tensor, b: Tensor): void {
  const { sa, sb, negative } = tidy(() => ({
    sa: a.to("float64").sum(1).toFloat64(),
    sb: b.to("float64").sum(1).toFloat64(),
    negative: a.amin().item() < 0 || b.amin().item() < 0,
  }));
  if (negative) throw new XlirError("BAD_INPUT", "sinkhornBatched: marginal weights must be non-negative");
  for (let k = 0; k < sa.length; k++) {
    if (!(sa[k] > 0) || !(sb[k] > 0)) {
      throw new XlirError(
        "BAD_INPUT",
        `sinkhornBatched: problem ${k} has ${!(sa[k] > 0) ? "no real rows (a is all padding)" : "no real columns (b is all padding)"}; every problem needs at least one real token on each side`,
      );
    }
    if (Math.abs(sa[k] - sb[k]) > 1e-4 * Math.max(sa[k], sb[k])) {
      throw new XlirError(
        "BAD_INPUT",
        `sinkhornBatched: problem ${k}: sum(a) = ${sa[k]} differs from sum(b) = ${sb[k]}`,
      );
    }
  }
}
