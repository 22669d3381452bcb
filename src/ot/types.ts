/** Result types and options shared by the typed-array optimal-transport solvers. */

/**
 * Result of one optimal-transport solve. The return shape is the same for every solver and
 * every option (docs/style.md, habit 4).
 */
export interface OtResult {
  /** Transport plan P, row-major [m, n]: P[i * n + j] is the mass moved from a_i to b_j. */
  plan: Float64Array;
  /** Transport cost <P, C>_F = sum_ij P_ij C_ij (without the entropy term). */
  cost: number;
  /** Completed iterations (Sinkhorn updates of u and v; EMD: simplex pivots). */
  iterations: number;
  /** Whether the solver's stopping criterion was met (never hidden: false means "gave up"). */
  converged: boolean;
  /** max(||P 1 - a||_2, ||P^T 1 - b||_2) measured on the returned plan. */
  marginalError: number;
}

/** Options of `sinkhorn` (POT: `ot.sinkhorn(a, b, M, reg, method, numItermax, stopThr)`). */
export interface SinkhornOptions {
  /** Entropic regularisation eps (POT `reg`), > 0. */
  epsilon: number;
  /** Maximum number of iterations (POT `numItermax`). Default 1000. */
  maxIterations?: number;
  /** Stop when ||P^T 1 - b||_2 < tolerance, checked every 10th iteration (POT `stopThr`). Default 1e-9. */
  tolerance?: number;
  /** "log" (POT `sinkhorn_log`, stable for small eps) or "plain" (POT `sinkhorn_knopp`). Default "log". */
  method?: "log" | "plain";
  /** Relative tolerance for sum(a) = sum(b). Default 1e-6. */
  massTolerance?: number;
}

/** Options of `sinkhornUnbalanced` (POT: `ot.unbalanced.sinkhorn_unbalanced(a, b, M, reg, reg_m)`). */
export interface UnbalancedOptions {
  /** Entropic regularisation eps (POT `reg`), > 0. */
  epsilon: number;
  /** KL marginal relaxation rho (POT `reg_m`), > 0; large values approach balanced OT. */
  marginalRelaxation: number;
  /** Default 1000. */
  maxIterations?: number;
  /** Stop when the relative change of the scalings is below this (POT `stopThr`). Default 1e-6. */
  tolerance?: number;
}
