/**
 * Multilingual knowledge distillation by mean squared error (Reimers & Gurevych, EMNLP 2020,
 * arXiv 2004.09813): the student's pooled embedding of f and of e must both equal the teacher's
 * pooled embedding of e.
 */
import { z } from "zod";
import { XlirError } from "../errors.js";
import { tidy } from "../engine/index.js";
import { floatMask, parseLossOptions, pool } from "./common.js";
import type { DistillBatch, LossResult } from "./types.js";

/**
 * Options of the MSE loss.
 * @example
 * ```ts
 * import { mseOptionsSchema } from "xlir";
 * console.assert(mseOptionsSchema.parse({}).englishTerm === true);
 * ```
 */
export const mseOptionsSchema = z.strictObject({
  /** Pooling over real tokens ("mean") or the first token ("cls"). */
  pooling: z.enum(["mean", "cls"]).default("mean").describe("mean over real tokens, or the first token"),
  /** Include ||pool(S(e)) - pool(T(e))||^2 (needs batch.studentEnglish). */
  englishTerm: z.boolean().default(true).describe("include the student(e) term (needs batch.studentEnglish)"),
});

/** Resolved options of the MSE loss. */
export type MseOptions = z.output<typeof mseOptionsSchema>;

/** The MSE loss's defaults (`mseOptionsSchema.parse({})`). */
export const MSE_DEFAULTS: MseOptions = mseOptionsSchema.parse({});

/**
 * L = (1/B) sum_b ( ||pool(S(f_b)) - pool(T(e_b))||^2 + ||pool(S(e_b)) - pool(T(e_b))||^2 ),
 * pooling = mean over real tokens (default) or the first token; squared norms summed over d
 * (sentence-transformers' MSELoss also divides by d, a constant factor).
 * @param batch student [B, m, d], teacher [B, n, d], studentEnglish [B, n', d] with masks.
 * @example
 * ```ts
 * import { mseDistillLoss, tensor } from "xlir";
 * const batch = {
 *   student: tensor([1, 0], [1, 1, 2], "float64"),
 *   studentMask: tensor([1], [1, 1], "float64"),
 *   teacher: tensor([0, 1], [1, 1, 2], "float64"),
 *   teacherMask: tensor([1], [1, 1], "float64"),
 * };
 * const { loss } = mseDistillLoss(batch, { englishTerm: false });
 * console.assert(Math.abs(loss.item() - 2) < 1e-12); // ||(1,0) - (0,1)||^2
 * ```
 */
export function mseDistillLoss(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult {
  const o = parseLossOptions("mse", mseOptionsSchema, options);
  if (o.englishTerm && (!batch.studentEnglish || !batch.studentEnglishMask)) {
    throw new XlirError(
      "CONFIG",
      "loss 'mse': the English term needs batch.studentEnglish and batch.studentEnglishMask (or englishTerm: false)",
    );
  }
  const dtype = batch.student.dtype;
  return tidy(() => {
    const t = pool(batch.teacher, floatMask(batch.teacher, batch.teacherMask, "teacher", dtype), o.pooling); // [B, d]
    const sf = pool(batch.student, floatMask(batch.student, batch.studentMask, "student", dtype), o.pooling); // [B, d]
    const foreign = sf.sub(t).pow(2).sum(1).mean();
    let loss = foreign;
    const stats: Record<string, number> = { foreign: foreign.item() };
    if (o.englishTerm) {
      const se = batch.studentEnglish!;
      const sp = pool(se, floatMask(se, batch.studentEnglishMask!, "student(e)", dtype), o.pooling); // [B, d]
      const english = sp.sub(t).pow(2).sum(1).mean();
      stats.english = english.item();
      loss = loss.add(english);
    }
    return { loss, stats };
  });
}
