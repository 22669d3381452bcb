/**
 * The settings one student trains with: the shared optimiser settings of `students.optim`, the
 * loss's own options (`students.ot`, `students.contrastive`, `students.combinedWeight`) and the
 * per-loss overrides of `students.perLoss` (what `xlir tune` chooses on dev), resolved once.
 *
 * A tuning file (`xlir tune` writes DIR/tuning.json) is applied with `applyTuning`: its chosen
 * settings become `students.perLoss`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { XlirError } from "../errors.js";
import type { OptimSettings } from "../train/distill.js";
import {
  lossSettingsSchema,
  STUDENT_LOSSES,
  type ExperimentConfig,
  type LossName,
  type LossSettings,
} from "./config.js";

/** Everything that decides how one loss's student trains (hashed into its stage key). */
export interface StudentSettings {
  loss: LossName;
  optim: OptimSettings;
  /** Options handed to the loss (src/losses). */
  lossOptions: Record<string, unknown>;
  /** The tunable settings as resolved (learningRate, steps and the loss's own). */
  tuned: Required<Pick<LossSettings, "learningRate" | "steps">> &
    Omit<LossSettings, "learningRate" | "steps">;
  maxLength: number;
  dropout: number;
  init: string;
}

/** Resolves the settings of `loss`'s students from the configuration. */
export function studentSettings(config: ExperimentConfig, loss: LossName): StudentSettings {
  const s = config.students;
  const over = s.perLoss[loss];
  const learningRate = over.learningRate ?? s.optim.learningRate;
  const steps = over.steps ?? s.optim.steps;
  const epsilon = over.epsilon ?? s.ot.epsilon;
  const ot = { ...s.ot, epsilon };
  const temperature = over.temperature ?? s.contrastive.temperature;
  const contrastive = { ...s.contrastive, temperature };
  const weight = over.weight ?? s.combinedWeight;
  let lossOptions: Record<string, unknown> = {};
  let tuned: StudentSettings["tuned"] = { learningRate, steps };
  if (loss === "mse") lossOptions = { ...s.mse };
  if (loss === "ot") {
    lossOptions = ot;
    tuned = { ...tuned, epsilon };
  } else if (loss === "contrastive") {
    lossOptions = contrastive;
    tuned = { ...tuned, temperature };
  } else if (loss === "ot+contrastive") {
    lossOptions = { ot, contrastive, contrastiveWeight: weight };
    tuned = { ...tuned, epsilon, weight };
  }
  return {
    loss,
    optim: { ...s.optim, learningRate, steps },
    lossOptions,
    tuned,
    maxLength: s.maxLength,
    dropout: config.model.dropout,
    init: s.init,
  };
}

export const TUNING_FORMAT = "xlir-tuning/1";

/** A tuning file's chosen settings: the per-loss settings, learning rate and steps required. */
const chosenSchema = lossSettingsSchema.required({ learningRate: true, steps: true });

/** The part of a tuning file the experiment reads. */
const tuningFileSchema = z.object({
  format: z.literal(TUNING_FORMAT),
  chosen: z.partialRecord(z.enum(STUDENT_LOSSES), chosenSchema),
});

/** Reads a tuning file and returns a copy of `config` whose `students.perLoss` holds its chosen settings. */
export function applyTuning(config: ExperimentConfig, file: string): ExperimentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") throw new XlirError("NOT_FOUND", `${file}: tuning file not found`);
    throw new XlirError("CONFIG", `${file}: not a JSON tuning file (${e.message})`);
  }
  const parsed = tuningFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("\n");
    throw new XlirError("CONFIG", `${file} is not a tuning file written by \`xlir tune\`:\n${problems}`);
  }
  const out = structuredClone(config);
  for (const loss of STUDENT_LOSSES) {
    const c = parsed.data.chosen[loss];
    if (c) out.students.perLoss[loss] = { ...out.students.perLoss[loss], ...c };
  }
  out.tuned = file;
  return out;
}
