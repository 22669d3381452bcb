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
  /** k-means clusters of the English sentences, a batch drawn from one each; absent: off. */
  clusteredBatches?: number;
}

/**
 * Resolves the settings of `loss`'s students from the configuration.
 * @example
 * ```ts
 * import { parseExperimentConfig, studentSettings } from "xlir";
 * // the built-in per-loss settings (the committed sweep's choices)
 * const ot = studentSettings(parseExperimentConfig({}), "ot");
 * console.assert(ot.tuned.learningRate === 0.0005 && ot.tuned.steps === 2000 && ot.tuned.epsilon === 0.02);
 * console.assert(ot.optim.steps === 2000 && ot.lossOptions.epsilon === 0.02);
 * // a setting written at the shared level applies to every loss that does not set its own
 * const config = parseExperimentConfig({ students: { optim: { steps: 50, batchSize: 8 }, perLoss: { contrastive: { steps: 5 } } } });
 * console.assert(studentSettings(config, "ot").optim.steps === 50 && studentSettings(config, "contrastive").optim.steps === 5);
 * ```
 */
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
    // absent when off: the settings (a student's cache key) stay those of runs made before the option
    ...(s.clusteredBatches > 0 ? { clusteredBatches: s.clusteredBatches } : {}),
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

/**
 * Reads a tuning file and returns a copy of `config` whose `students.perLoss` holds its chosen settings.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { applyTuning, parseExperimentConfig, studentSettings, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "tuning.json");
 * writeFileSync(file, JSON.stringify({ format: "xlir-tuning/1", chosen: { ot: { learningRate: 0.002, steps: 300, epsilon: 0.05 } } }));
 * const config = parseExperimentConfig({});
 * const tuned = applyTuning(config, file);
 * const ot = studentSettings(tuned, "ot");
 * console.assert(ot.tuned.epsilon === 0.05 && ot.optim.learningRate === 0.002 && tuned.tuned === file);
 * console.assert(config.students.perLoss.ot.epsilon === 0.02); // the input is left as it was
 * writeFileSync(file, JSON.stringify({ format: "xlir-tuning/1", chosen: { ot: { epsilon: 0.05 } } }));
 * try {
 *   applyTuning(config, file); // chosen settings need learningRate and steps
 *   console.assert(false, "an incomplete tuning file was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "CONFIG");
 * }
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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
