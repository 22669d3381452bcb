/**
 * Contrastive distillation (InfoNCE with in-batch negatives; van den Oord et al. 2018, as in
 * sentence-transformers' MultipleNegativesRankingLoss): student(f_i) must score its own English
 * sentence e_i above the other English sentences of the batch.
 */
import { z } from "zod";
import { XlirError } from "../errors.js";
import { arange, crossEntropy, einsum, tensor, tidy, type Tensor } from "../engine/index.js";
import { floatMask, MASKED_SCORE, parseLossOptions, pool } from "./common.js";
import type { DistillBatch, LossResult } from "./types.js";

/**
 * Options of the contrastive loss, one schema for the library and the experiment configuration
 * (`students.contrastive`).
 * @example
 * ```ts
 * import { contrastiveOptionsSchema } from "xlir";
 * const o = contrastiveOptionsSchema.parse({ temperature: 0.1 });
 * console.assert(o.score === "late" && o.symmetric === false);
 * ```
 */
export const contrastiveOptionsSchema = z.strictObject({
  /** Temperature tau of the softmax. */
  temperature: z.number().positive().default(0.05).describe("softmax temperature tau > 0"),
  /** "late": average MaxSim over real student tokens; "pooled": cosine of pooled vectors. */
  score: z
    .enum(["late", "pooled"])
    .default("late")
    .describe("late: averaged MaxSim; pooled: cosine of pooled vectors"),
  /** Pooling of the "pooled" score. */
  pooling: z.enum(["mean", "cls"]).default("mean").describe("pooling of the pooled score"),
  /** Also the English -> foreign direction (cross-entropy over columns), averaged. */
  symmetric: z.boolean().default(false).describe("also the English -> foreign direction, averaged"),
});

/** Resolved options of the contrastive loss. */
export type ContrastiveOptions = z.output<typeof contrastiveOptionsSchema>;

/** The contrastive loss's defaults (`contrastiveOptionsSchema.parse({})`). */
export const CONTRASTIVE_DEFAULTS: ContrastiveOptions = contrastiveOptionsSchema.parse({});

/**
 * Scores S [B, B]: late: S_ij = (1/|f_i|) sum_{q real} max_{t real} <F_iq, E_jt> (MaxSim averaged,
 * not summed, over query tokens so that tau = 0.05 gives sensible logits; docs/prototype.md);
 * pooled: S_ij = <pool(F_i)/||.||, pool(E_j)/||.||>.
 * @param f [B, m, d], mf [B, m] float; e [B, n, d], me [B, n] float.
 */
export function pairScores(f: Tensor, mf: Tensor, e: Tensor, me: Tensor, o: ContrastiveOptions): Tensor {
  return tidy(() => {
    if (o.score === "pooled") {
      const q = pool(f, mf, o.pooling).normalize(-1); // [B, d]
      const k = pool(e, me, o.pooling).normalize(-1); // [B, d]
      return q.matmul(k.transpose(0, 1)); // [B, B]
    }
    const sim = einsum("iqd,jtd->ijqt", f, e); // [B, B, m, n]
    const padT = me.unsqueeze(0).unsqueeze(2).eq(0); // [1, B, 1, n]
    // max over t with its indices: the backward scatters the gradient into the argmax alone, where
    // amax's compares every entry with the maximum to split ties (4 passes over [B, B, m, n]);
    // the values are the same and the gradients equal up to the order of float sums (the layout of
    // the scattered gradient can change the GEMM path); the step is about 35% faster
    const maxsim = sim.maskedFill(padT, MASKED_SCORE).max(3).values; // [B, B, m]
    return maxsim.mul(mf.unsqueeze(1)).sum(2).div(mf.sum(1).unsqueeze(1)); // [B, B]
  });
}

/** [B, B] bool: true where i != j and both pairs share the same English sentence id. */
export function duplicateMask(ids: readonly (string | number)[]): Uint8Array {
  const B = ids.length;
  const out = new Uint8Array(B * B);
  for (let i = 0; i < B; i++)
    for (let j = 0; j < B; j++) if (i !== j && ids[i] === ids[j]) out[i * B + j] = 1;
  return out;
}

/**
 * L = -(1/B) sum_i log softmax_j(S_ij / tau)[i], duplicates of e_i removed from row i's negatives
 * (logit set to -1e9, finite); symmetric: (L + L^T) / 2 with L^T the same over columns.
 * stats: accuracy (fraction of rows whose own pair scores highest).
 * @example
 * ```ts
 * import { contrastiveLoss, tensor } from "xlir";
 * // B = 2 pairs of one token each, d = 2: each student token points at its own English token
 * const batch = {
 *   student: tensor([1, 0, 0, 1], [2, 1, 2], "float64"),
 *   studentMask: tensor([1, 1], [2, 1], "float64"),
 *   teacher: tensor([1, 0, 0, 1], [2, 1, 2], "float64"),
 *   teacherMask: tensor([1, 1], [2, 1], "float64"),
 * };
 * const { loss, stats } = contrastiveLoss(batch, { temperature: 0.1 });
 * console.assert(stats.accuracy === 1 && loss.item() < 0.01);
 * ```
 */
export function contrastiveLoss(
  batch: DistillBatch,
  options?: Readonly<Record<string, unknown>>,
): LossResult {
  const o = parseLossOptions("contrastive", contrastiveOptionsSchema, options);
  const B = batch.student.shape[0];
  if (batch.teacher.shape[0] !== B)
    throw new XlirError(
      "BAD_INPUT",
      `contrastive: student batch ${B} != teacher batch ${batch.teacher.shape[0]}`,
    );
  if (batch.englishIds && batch.englishIds.length !== B) {
    throw new XlirError(
      "BAD_INPUT",
      `contrastive: ${batch.englishIds.length} englishIds for a batch of ${B}`,
    );
  }
  const dtype = batch.student.dtype;
  return tidy(() => {
    const mf = floatMask(batch.student, batch.studentMask, "student", dtype);
    const me = floatMask(batch.teacher, batch.teacherMask, "teacher", dtype);
    let logits = pairScores(batch.student, mf, batch.teacher, me, o).div(o.temperature); // [B, B]
    if (batch.englishIds)
      logits = logits.maskedFill(tensor(duplicateMask(batch.englishIds), [B, B], "bool"), -1e9);
    const target = arange(0, B); // [B] int64
    let loss = crossEntropy(logits, target);
    if (o.symmetric) loss = loss.add(crossEntropy(logits.transpose(0, 1), target)).mul(0.5);
    const accuracy = logits.argmax(1).eq(target).to("float64").mean().item();
    return { loss, stats: { accuracy } };
  });
}
