/** Weighted sum of the OT and contrastive losses on the same batch. */
import { z } from "zod";
import { tidy } from "../engine/index.js";
import { contrastiveLoss, contrastiveOptionsSchema } from "./contrastive.js";
import { parseLossOptions } from "./common.js";
import { otLoss, otOptionsSchema } from "./ot.js";
import type { DistillBatch, LossResult } from "./types.js";

/**
 * Options of `ot+contrastive`: the two losses' own options (the experiment's `students.ot` and
 * `students.contrastive`) and the weight of the contrastive term (`students.combinedWeight`).
 * @example
 * ```ts
 * import { combinedOptionsSchema } from "xlir";
 * const o = combinedOptionsSchema.parse({ ot: { anchor: 0.5 }, contrastiveWeight: 0.5 });
 * console.assert(o.ot.anchor === 0.5 && o.ot.epsilon === 0.1 && o.contrastive.temperature === 0.05);
 * ```
 */
export const combinedOptionsSchema = z.strictObject({
  /** Options of the `ot` term. */
  ot: otOptionsSchema.prefault({}),
  /** Options of the `contrastive` term. */
  contrastive: contrastiveOptionsSchema.prefault({}),
  /** w in L = L_ot + w * L_contrastive. */
  contrastiveWeight: z
    .number()
    .min(0)
    .default(1)
    .describe("weight w of the contrastive term: L = L_ot + w L_contrastive"),
});

/** Resolved options of `ot+contrastive`. */
export type OtContrastiveOptions = z.output<typeof combinedOptionsSchema>;

/** The defaults of `ot+contrastive` (`combinedOptionsSchema.parse({})`). */
export const OT_CONTRASTIVE_DEFAULTS: OtContrastiveOptions = combinedOptionsSchema.parse({});

/**
 * L = L_ot + contrastiveWeight * L_contrastive; stats of each term prefixed "ot." and
 * "contrastive.", and the OT term's Sinkhorn convergence also unprefixed (meanIterations,
 * convergedFraction) as for the `ot` loss.
 * @example
 * ```ts
 * import { otContrastiveLoss, tensor } from "xlir";
 * const batch = {
 *   student: tensor([1, 0, 0, 1], [2, 1, 2], "float64"),
 *   studentMask: tensor([1, 1], [2, 1], "float64"),
 *   teacher: tensor([1, 0, 0, 1], [2, 1, 2], "float64"),
 *   teacherMask: tensor([1, 1], [2, 1], "float64"),
 * };
 * const { stats } = otContrastiveLoss(batch, { contrastiveWeight: 0.5 });
 * console.assert(stats["contrastive.accuracy"] === 1 && stats.convergedFraction === 1);
 * ```
 */
export function otContrastiveLoss(
  batch: DistillBatch,
  options?: Readonly<Record<string, unknown>>,
): LossResult {
  const o = parseLossOptions("ot+contrastive", combinedOptionsSchema, options);
  return tidy(() => {
    const a = otLoss(batch, o.ot);
    const b = contrastiveLoss(batch, o.contrastive);
    const stats: Record<string, number> = {};
    for (const [k, v] of Object.entries(a.stats)) stats[`ot.${k}`] = v;
    for (const [k, v] of Object.entries(b.stats)) stats[`contrastive.${k}`] = v;
    stats.meanIterations = a.stats.meanIterations;
    stats.convergedFraction = a.stats.convergedFraction;
    return { loss: a.loss.add(b.loss.mul(o.contrastiveWeight)), stats };
  });
}
