/**
 * OPTICAL distillation loss (Huang, Yu & Allan, WSDM 2023, arXiv 2301.12566): entropic optimal
 * transport between student token vectors of the foreign sentence and frozen teacher token
 * vectors of its English side.
 */
import { z } from "zod";
import { XlirError } from "../errors.js";
import { einsum, noGrad, tidy, type Tensor } from "../engine/index.js";
import { sinkhornBatched } from "../ot/batched.js";
import { floatMask, parseLossOptions } from "./common.js";
import type { DistillBatch, LossResult } from "./types.js";

/**
 * Options of the OT loss, one schema for the library and the experiment configuration
 * (`students.ot`): unknown keys and values are refused by `parseLossOptions`.
 * @example
 * ```ts
 * import { otOptionsSchema } from "xlir";
 * const o = otOptionsSchema.parse({ epsilon: 0.02, marginals: "idf" });
 * console.assert(o.iterations === 100 && o.cost === "cosine" && o.anchor === 0);
 * ```
 */
export const otOptionsSchema = z.strictObject({
  /** Entropic regularisation eps > 0. */
  epsilon: z.number().positive().default(0.1).describe("entropic regularisation eps > 0"),
  /** Sinkhorn iteration cap. */
  iterations: z.number().int().positive().default(100).describe("Sinkhorn iteration cap"),
  /** Sinkhorn stops when ||P^T 1 - b||_2 < tolerance. */
  tolerance: z.number().positive().default(1e-6).describe("Sinkhorn stops when ||P^T 1 - b||_2 < tolerance"),
  /** "cosine": C_ij = 1 - cos(F_i, E_j); "sqeuclidean": C_ij = ||F_i - E_j||^2. */
  cost: z
    .enum(["cosine", "sqeuclidean"])
    .default("cosine")
    .describe("cosine: 1 - cos; sqeuclidean: squared L2"),
  /**
   * "uniform" over real tokens, or "idf": a, b proportional to batch.studentWeights / teacherWeights
   * (IDF weights from the training text, filled in by `trainStudent`).
   */
  marginals: z
    .enum(["uniform", "idf"])
    .default("uniform")
    .describe("uniform over real tokens, or IDF-weighted (batch weights)"),
  /** Weight of the anchor term OT(student(e), teacher(e)); 0 = off (needs batch.studentEnglish). */
  anchor: z
    .number()
    .min(0)
    .default(0)
    .describe("weight of the anchor term OT(student(e), teacher(e)); 0 = off"),
  /** false: plan held constant (solved under no-grad; envelope theorem). true: gradient through the iterations. */
  unrolled: z.boolean().default(false).describe("differentiate through the Sinkhorn iterations"),
  /** "transport": <P, C>; "entropic": <P, C> - eps H(P), whose gradient is exactly P (envelope theorem). */
  value: z
    .enum(["transport", "entropic"])
    .default("transport")
    .describe("transport: <P, C>; entropic: <P, C> - eps H(P)"),
});

/** Resolved options of the OT loss. */
export type OtLossOptions = z.output<typeof otOptionsSchema>;

/** The OT loss's defaults (`otOptionsSchema.parse({})`). */
export const OT_DEFAULTS: OtLossOptions = otOptionsSchema.parse({});

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
export function otTerm(
  x: Tensor,
  mx: Tensor,
  y: Tensor,
  my: Tensor,
  wx: Tensor | null,
  wy: Tensor | null,
  o: OtLossOptions,
): OtTerm {
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
  const solverOptions = { epsilon: o.epsilon, maxIterations: o.iterations, tolerance: o.tolerance };
  const res = o.unrolled
    ? sinkhornBatched(cost, a, b, solverOptions)
    : noGrad(() => tidy(() => sinkhornBatched(cost.detach(), a, b, solverOptions)));
  const out = tidy(() => {
    const p = res.plan; // [B, m, n]
    const transport = p.mul(cost).sum([1, 2]); // [B]
    const value =
      o.value === "entropic"
        ? transport.add(p.mul(p.clamp(1e-30).log().sub(1)).sum([1, 2]).mul(o.epsilon))
        : transport;
    return { value, transport, iterations: res.meanIterations, converged: res.convergedFraction };
  });
  for (const t of [res.plan, cost, a, b]) t.free(); // autograd keeps what it needs
  return out;
}

/**
 * L = (1/B) sum_b <P*_b, C_b> (+ anchor * (1/B) sum_b OT(student(e)_b, teacher(e)_b)),
 * C_ij = 1 - cos(F_i, E_j) between student(f) tokens F [B, m, d] and teacher(e) tokens E [B, n, d].
 * stats: transport (mean <P, C>), meanIterations and convergedFraction (Sinkhorn convergence of the
 * main term, over the batch's B problems), and with anchor > 0: anchor, anchorMeanIterations,
 * anchorConvergedFraction.
 * @example
 * ```ts
 * import { otLoss, tensor } from "xlir";
 * // B = 1 pair, m = 2 student tokens, n = 3 teacher tokens, d = 2
 * const batch = {
 *   student: tensor([1, 0, 0, 1], [1, 2, 2], "float64"),
 *   studentMask: tensor([1, 1], [1, 2], "float64"),
 *   teacher: tensor([1, 0, 0.7, 0.7, 0, 1], [1, 3, 2], "float64"),
 *   teacherMask: tensor([1, 1, 1], [1, 3], "float64"),
 * };
 * const { loss, stats } = otLoss(batch, { epsilon: 0.05 });
 * console.assert(loss.item() > 0 && loss.item() < 1 && stats.convergedFraction === 1);
 * ```
 */
export function otLoss(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult {
  const o = parseLossOptions("ot", otOptionsSchema, options);
  if (o.marginals === "idf" && (!batch.studentWeights || !batch.teacherWeights)) {
    throw new XlirError(
      "CONFIG",
      "loss 'ot': marginals 'idf' needs batch.studentWeights and batch.teacherWeights (trainStudent fills them)",
    );
  }
  if (o.anchor > 0 && (!batch.studentEnglish || !batch.studentEnglishMask)) {
    throw new XlirError(
      "CONFIG",
      "loss 'ot': anchor > 0 needs batch.studentEnglish and batch.studentEnglishMask (student(e))",
    );
  }
  const dtype = batch.student.dtype;
  return tidy(() => {
    const ms = floatMask(batch.student, batch.studentMask, "student", dtype);
    const mt = floatMask(batch.teacher, batch.teacherMask, "teacher", dtype);
    if (batch.student.shape[0] !== batch.teacher.shape[0]) {
      throw new XlirError(
        "BAD_INPUT",
        `ot: student batch ${batch.student.shape[0]} != teacher batch ${batch.teacher.shape[0]}`,
      );
    }
    const useW = o.marginals === "idf";
    const main = otTerm(
      batch.student,
      ms,
      batch.teacher,
      mt,
      useW ? batch.studentWeights! : null,
      useW ? batch.teacherWeights! : null,
      o,
    );
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
      stats.anchorMeanIterations = anchor.iterations;
      stats.anchorConvergedFraction = anchor.converged;
      loss = loss.add(anchorMean.mul(o.anchor));
    }
    return { loss, stats };
  });
}
