/**
 * OPTICAL distillation loss (Huang, Yu & Allan, WSDM 2023, arXiv 2301.12566): entropic optimal
 * transport between student token vectors of the foreign sentence and frozen teacher token
 * vectors of its English side.
 */
import { XlirError } from "../errors.js";
import { einsum, noGrad, tidy, type Tensor } from "../engine/index.js";
import { sinkhornBatched } from "../ot/batched.js";
import { floatMask, positiveOption, resolveOptions } from "./common.js";
import type { DistillBatch, LossResult } from "./types.js";

/** Options of the OT loss (defaults in OT_DEFAULTS). */
export interface OtLossOptions extends Record<string, unknown> {
  /** Entropic regularisation eps. */
  epsilon: number;
  maxIterations: number;
  tolerance: number;
  /** "cosine": C_ij = 1 - cos(F_i, E_j); "sqeuclidean": C_ij = ||F_i - E_j||^2. */
  cost: "cosine" | "sqeuclidean";
  /** "uniform" over real tokens, or "weights": batch.studentWeights / teacherWeights (e.g. IDF). */
  marginals: "uniform" | "weights";
  /** false: plan held constant (solved under no-grad; envelope theorem). true: gradient through the iterations. */
  unrolled: boolean;
  /** "transport": <P, C>; "entropic": <P, C> - eps H(P), whose gradient is exactly P (envelope theorem). */
  value: "transport" | "entropic";
  /** Weight of the anchor term OT(student(e), teacher(e)); 0 = off (needs batch.studentEnglish). */
  anchor: number;
}

export const OT_DEFAULTS: OtLossOptions = {
  epsilon: 0.1,
  maxIterations: 100,
  tolerance: 1e-6,
  cost: "cosine",
  marginals: "uniform",
  unrolled: false,
  value: "transport",
  anchor: 0,
};

/** Value [B] and convergence of one OT term between x [B, m, d] and y [B, n, d]. */
interface OtTerm {
  value: Tensor; // [B]
  transport: Tensor; // [B] <P, C>
  iterations: number;
  converged: number;
}

/**
 * One OT term: C = 1 - X_hat Y_hat^T (rows L2-normalised; or squared L2), zeroed on padding;
 * a = wx * mx / sum(wx * mx), b likewise (w = 1 for uniform marginals);
 * P = Sinkhorn(C, a, b; eps) in the log domain, under no-grad unless unrolled;
 * value_b = <P_b, C_b> (+ eps sum P (log P - 1) for value "entropic").
 * @param x [B, m, d], mx [B, m]; y [B, n, d], my [B, n]; wx [B, m] | null; wy [B, n] | null.
 */
export function otTerm(x: Tensor, mx: Tensor, y: Tensor, my: Tensor, wx: Tensor | null, wy: Tensor | null, o: OtLossOptions): OtTerm {
  const dtype = x.dtype;
  const { cost, a, b } = tidy(() => {
    const valid = mx.unsqueeze(2).mul(my.unsqueeze(1)); // [B, m, n]
    let c: Tensor;
    if (o.cost === "cosine") {
      c = einsum("bid,bjd->bij", x.normalize(-1), y.normalize(-1)).rsub(1); // [B, m, n]
    } else {
      const xx = x.mul(x).sum(2).unsqueeze(2); // [B, m, 1]
      const yy = y.mul(y).sum(2).unsqueeze(1); // [B, 1, n]
      c = xx.add(yy).sub(einsum("bid,bjd->bij", x, y).mul(2)); // [B, m, n]
    }
    const ax = wx === null ? mx : wx.to(dtype).mul(mx); // [B, m]
    const by = wy === null ? my : wy.to(dtype).mul(my); // [B, n]
    return { cost: c.mul(valid), a: ax.div(ax.sum(1, true)), b: by.div(by.sum(1, true)) };
  });
  const solverOptions = { epsilon: o.epsilon, maxIterations: o.maxIterations, tolerance: o.tolerance };
  const res = o.unrolled
    ? sinkhornBatched(cost, a, b, solverOptions)
    : noGrad(() => tidy(() => sinkhornBatched(cost.detach(), a, b, solverOptions)));
  const out = tidy(() => {
    const p = res.plan; // [B, m, n]
    const transport = p.mul(cost).sum([1, 2]); // [B]
    const value = o.value === "entropic" ? transport.add(p.mul(p.clamp(1e-30).log().sub(1)).sum([1, 2]).mul(o.epsilon)) : transport;
    return { value, transport, iterations: res.meanIterations, converged: res.convergedFraction };
  });
  for (const t of [res.plan, cost, a, b]) t.free(); // autograd keeps what it needs
  return out;
}

/**
 * L = (1/B) sum_b <P*_b, C_b> (+ anchor * (1/B) sum_b OT(student(e)_b, teacher(e)_b)),
 * C_ij = 1 - cos(F_i, E_j) between student(f) tokens F [B, m, d] and teacher(e) tokens E [B, n, d].
 * stats: transport (mean <P, C>), meanIterations, convergedFraction (of the main term), anchor.
 */
export function otLoss(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult {
  const o = resolveOptions("ot", OT_DEFAULTS, options);
  positiveOption("ot", "epsilon", o.epsilon);
  if (o.anchor < 0) throw new XlirError("CONFIG", `loss 'ot': anchor = ${o.anchor}; expected >= 0`);
  if (o.marginals === "weights" && (!batch.studentWeights || !batch.teacherWeights)) {
    throw new XlirError("CONFIG", "loss 'ot': marginals 'weights' needs batch.studentWeights and batch.teacherWeights");
  }
  if (o.anchor > 0 && (!batch.studentEnglish || !batch.studentEnglishMask)) {
    throw new XlirError("CONFIG", "loss 'ot': anchor > 0 needs batch.studentEnglish and batch.studentEnglishMask (student(e))");
  }
  const dtype = batch.student.dtype;
  return tidy(() => {
    const ms = floatMask(batch.student, batch.studentMask, "student", dtype);
    const mt = floatMask(batch.teacher, batch.teacherMask, "teacher", dtype);
    if (batch.student.shape[0] !== batch.teacher.shape[0]) {
      throw new XlirError("BAD_INPUT", `ot: student batch ${batch.student.shape[0]} != teacher batch ${batch.teacher.shape[0]}`);
    }
    const useW = o.marginals === "weights";
    const main = otTerm(batch.student, ms, batch.teacher, mt, useW ? batch.studentWeights! : null, useW ? batch.teacherWeights! : null, o);
    let loss = main.value.mean();
    const stats: Record<string, number> = {
      transport: main.transport.mean().item(),
      meanIterations: main.iterations,
      convergedFraction: main.converged,
    };
    if (o.anchor > 0) {
      const se = batch.studentEnglish!;
      const mse = floatMask(se, batch.studentEnglishMask!, "student(e)", dtype);
      const anchor = otTerm(se, mse, batch.teacher, mt, null, useW ? batch.teacherWeights! : null, o);
      const anchorMean = anchor.value.mean();
      stats.anchor = anchorMean.item();
      loss = loss.add(anchorMean.mul(o.anchor));
    }
    return { loss, stats };
  });
}
