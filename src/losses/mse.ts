/**
 * Multilingual knowledge distillation by mean squared error (Reimers & Gurevych, EMNLP 2020,
 * arXiv 2004.09813): the student's pooled embedding of f and of e must both equal the teacher's
 * pooled embedding of e.
 */
import { XlirError } from "../errors.js";
import { tidy } from "../engine/index.js";
import { floatMask, pool, resolveOptions } from "./common.js";
import type { DistillBatch, LossResult } from "./types.js";

export interface MseOptions extends Record<string, unknown> {
  pooling: "mean" | "cls";
  /** Include ||pool(S(e)) - pool(T(e))||^2 (needs batch.studentEnglish). */
  englishTerm: boolean;
}

export const MSE_DEFAULTS: MseOptions = { pooling: "mean", englishTerm: true };

/**
 * L = (1/B) sum_b ( ||pool(S(f_b)) - pool(T(e_b))||^2 + ||pool(S(e_b)) - pool(T(e_b))||^2 ),
 * pooling = mean over real tokens (default) or the first token; squared norms summed over d
 * (sentence-transformers' MSELoss also divides by d, a constant factor).
 * @param batch student [B, m, d], teacher [B, n, d], studentEnglish [B, n', d] with masks.
 */
export function mseDistillLoss(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult {
  const o = resolveOptions("mse", MSE_DEFAULTS, options);
  if (o.englishTerm && (!batch.studentEnglish || !batch.studentEnglishMask)) {
    throw new XlirError("CONFIG", "loss 'mse': the English term needs batch.studentEnglish and batch.studentEnglishMask (or englishTerm: false)");
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
