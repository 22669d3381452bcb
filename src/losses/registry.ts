/** The distillation losses by name. */
import { XlirError } from "../errors.js";
import { otContrastiveLoss, OT_CONTRASTIVE_DEFAULTS } from "./combined.js";
import { contrastiveLoss, CONTRASTIVE_DEFAULTS } from "./contrastive.js";
import { mseDistillLoss, MSE_DEFAULTS } from "./mse.js";
import { otLoss, OT_DEFAULTS } from "./ot.js";
import type { LossSpec } from "./types.js";

export const LOSSES: Readonly<Record<string, LossSpec>> = {
  ot: { description: "OPTICAL: entropic OT between student(f) and teacher(e) tokens", defaults: OT_DEFAULTS, compute: otLoss },
  contrastive: { description: "InfoNCE, in-batch negatives, late-interaction scores", defaults: CONTRASTIVE_DEFAULTS, compute: contrastiveLoss },
  mse: { description: "Reimers & Gurevych MSE on pooled embeddings", defaults: MSE_DEFAULTS, compute: mseDistillLoss },
  "ot+contrastive": { description: "weighted sum of ot and contrastive", defaults: OT_CONTRASTIVE_DEFAULTS, compute: otContrastiveLoss },
};

/** The loss registered under `name`; unknown names list every registered one. */
export function getLoss(name: string): LossSpec {
  const spec = Object.prototype.hasOwnProperty.call(LOSSES, name) ? LOSSES[name] : undefined;
  if (!spec) throw new XlirError("CONFIG", `unknown loss '${name}'; known losses: ${Object.keys(LOSSES).join(", ")}`);
  return spec;
}
