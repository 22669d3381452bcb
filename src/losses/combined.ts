/** Weighted sum of the OT and contrastive losses on the same batch. */
import { tidy } from "../engine/index.js";
import { contrastiveLoss } from "./contrastive.js";
import { resolveOptions } from "./common.js";
import { otLoss } from "./ot.js";
import type { DistillBatch, LossResult } from "./types.js";

export interface OtContrastiveOptions extends Record<string, unknown> {
  otWeight: number;
  contrastiveWeight: number;
  /** Options passed to the `ot` loss. */
  ot: Record<string, unknown>;
  /** Options passed to the `contrastive` loss. */
  contrastive: Record<string, unknown>;
}

export const OT_CONTRASTIVE_DEFAULTS: OtContrastiveOptions = { otWeight: 1, contrastiveWeight: 1, ot: {}, contrastive: {} };

/** L = otWeight * L_ot + contrastiveWeight * L_contrastive; stats prefixed "ot." and "contrastive.". */
export function otContrastiveLoss(batch: DistillBatch, options?: Readonly<Record<string, unknown>>): LossResult {
  const o = resolveOptions("ot+contrastive", OT_CONTRASTIVE_DEFAULTS, options);
  return tidy(() => {
    const a = otLoss(batch, o.ot);
    const b = contrastiveLoss(batch, o.contrastive);
    const stats: Record<string, number> = {};
    for (const [k, v] of Object.entries(a.stats)) stats[`ot.${k}`] = v;
    for (const [k, v] of Object.entries(b.stats)) stats[`contrastive.${k}`] = v;
    return { loss: a.loss.mul(o.otWeight).add(b.loss.mul(o.contrastiveWeight)), stats };
  });
}
