/** The distillation losses by name, each with the one zod schema of its options. */
import { XlirError } from "../errors.js";
import { combinedOptionsSchema, otContrastiveLoss, OT_CONTRASTIVE_DEFAULTS } from "./combined.js";
import { parseLossOptions } from "./common.js";
import { contrastiveLoss, contrastiveOptionsSchema, CONTRASTIVE_DEFAULTS } from "./contrastive.js";
import { mseDistillLoss, mseOptionsSchema, MSE_DEFAULTS } from "./mse.js";
import { otLoss, otOptionsSchema, OT_DEFAULTS } from "./ot.js";
import type { LossInputs, LossSpec } from "./types.js";

type Options = Readonly<Record<string, unknown>> | undefined;

function otInputs(o: { anchor: number; marginals: string }): LossInputs {
  return { studentEnglish: o.anchor > 0, tokenWeights: o.marginals === "idf" };
}

/**
 * The option schema of every registered loss, by loss name (what `getLoss(name).schema` is).
 * @example
 * ```ts
 * import { lossOptionsSchemas } from "xlir";
 * console.assert(Object.keys(lossOptionsSchemas).join() === "ot,contrastive,mse,ot+contrastive");
 * console.assert(lossOptionsSchemas.ot.safeParse({ cost: "cos" }).success === false);
 * ```
 */
export const lossOptionsSchemas = {
  ot: otOptionsSchema,
  contrastive: contrastiveOptionsSchema,
  mse: mseOptionsSchema,
  "ot+contrastive": combinedOptionsSchema,
} as const;

/** Name of a registered loss. */
export type LossName = keyof typeof lossOptionsSchemas;

/**
 * Every registered loss: description, option schema, defaults, `compute`, and `inputs` (the optional
 * batch fields it needs under given options: the anchor of `ot` and of `ot+contrastive`'s `ot`).
 * @example
 * ```ts
 * import { LOSSES } from "xlir";
 * console.assert(LOSSES.ot.defaults.epsilon === 0.1);
 * console.assert(LOSSES["ot+contrastive"].inputs({ ot: { anchor: 0.5 } }).studentEnglish);
 * ```
 */
export const LOSSES: Readonly<Record<string, LossSpec>> = {
  ot: {
    description: "OPTICAL: entropic OT between student(f) and teacher(e) tokens",
    schema: otOptionsSchema,
    defaults: OT_DEFAULTS,
    compute: otLoss,
    inputs: (o: Options) => otInputs(parseLossOptions("ot", otOptionsSchema, o)),
  },
  contrastive: {
    description: "InfoNCE, in-batch negatives, late-interaction scores",
    schema: contrastiveOptionsSchema,
    defaults: CONTRASTIVE_DEFAULTS,
    compute: contrastiveLoss,
    inputs: (o: Options) => {
      parseLossOptions("contrastive", contrastiveOptionsSchema, o);
      return { studentEnglish: false, tokenWeights: false };
    },
  },
  mse: {
    description: "Reimers & Gurevych MSE on pooled embeddings",
    schema: mseOptionsSchema,
    defaults: MSE_DEFAULTS,
    compute: mseDistillLoss,
    inputs: (o: Options) => ({
      studentEnglish: parseLossOptions("mse", mseOptionsSchema, o).englishTerm,
      tokenWeights: false,
    }),
  },
  "ot+contrastive": {
    description: "ot + weight * contrastive",
    schema: combinedOptionsSchema,
    defaults: OT_CONTRASTIVE_DEFAULTS,
    compute: otContrastiveLoss,
    inputs: (o: Options) => otInputs(parseLossOptions("ot+contrastive", combinedOptionsSchema, o).ot),
  },
};

/**
 * The loss registered under `name`; unknown names list every registered one. With `options`, they
 * are checked at once against the loss's schema (XlirError CONFIG on an unknown key or value), so a
 * bad configuration fails before any training step.
 * @example
 * ```ts
 * import { getLoss } from "xlir";
 * const spec = getLoss("contrastive", { temperature: 0.1 });
 * console.assert(spec.schema.parse({}).temperature === 0.05);
 * let message = "";
 * try {
 *   getLoss("ot", { cost: "cos" });
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * console.assert(message === `loss 'ot': option 'cost': invalid value "cos"; allowed values: "cosine", "sqeuclidean"`);
 * ```
 */
export function getLoss(name: string, options?: Readonly<Record<string, unknown>>): LossSpec {
  const spec = Object.prototype.hasOwnProperty.call(LOSSES, name) ? LOSSES[name] : undefined;
  if (!spec)
    throw new XlirError("CONFIG", `unknown loss '${name}'; known losses: ${Object.keys(LOSSES).join(", ")}`);
  if (options !== undefined) parseLossOptions(name, spec.schema, options);
  return spec;
}
