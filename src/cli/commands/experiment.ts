import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { loadExperimentConfig, type ExperimentConfig } from "../../experiment/config.js";
import { PROFILE_NAMES } from "../../experiment/profiles.js";
import { runExperiment } from "../../experiment/run.js";

/** Options shared by `experiment` and `tune` that override the configuration file. */
export interface OverrideOptions {
  config?: string;
  profile?: string;
  seeds?: string;
  steps?: string;
  teacherSteps?: string;
  workers?: string;
  device?: string;
  directions?: string;
}

/** Reads the configuration and applies the command-line overrides. */
export function configWithOverrides(opts: OverrideOptions): ExperimentConfig {
  if (opts.profile !== undefined && !(PROFILE_NAMES as string[]).includes(opts.profile))
    throw new XlirError(
      "USAGE",
      `--profile expects one of ${PROFILE_NAMES.join(", ")}, got '${opts.profile}'`,
    );
  const config = loadExperimentConfig(opts.config, opts.profile);
  if (opts.seeds !== undefined) {
    const seeds = opts.seeds.split(",").map((s) => Number(s.trim()));
    if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new XlirError(
        "USAGE",
        `--seeds expects comma-separated non-negative integers, got '${opts.seeds}'`,
      );
    }
    config.seeds = seeds;
  }
  if (opts.steps !== undefined) {
    const steps = positiveInt("--steps", opts.steps);
    config.students.optim.steps = steps;
    for (const s of Object.values(config.students.perLoss)) s.steps = steps;
  }
  if (opts.teacherSteps !== undefined)
    config.teacher.optim.steps = positiveInt("--teacher-steps", opts.teacherSteps);
  if (opts.workers !== undefined) config.workers = positiveInt("--workers", opts.workers);
  if (opts.device !== undefined) {
    if (!/^(cpu|cuda(:\d+)?)$/.test(opts.device))
      throw new XlirError("USAGE", `--device expects cpu, cuda or cuda:N, got '${opts.device}'`);
    config.device = opts.device;
  }
  if (opts.directions !== undefined) {
    const d = opts.directions.split(",").map((x) => x.trim());
    if (d.length === 0 || d.some((x) => x !== "xx-en" && x !== "en-xx")) {
      throw new XlirError(
        "USAGE",
        `--directions expects xx-en, en-xx or both (comma-separated), got '${opts.directions}'`,
      );
    }
    config.directions = d as ExperimentConfig["directions"];
  }
  return config;
}

/** Registers `xlir experiment`: the OT-versus-contrastive comparison, end to end. */
export function register(program: Command): void {
  program
    .command("experiment")
    .description(
      "the main job: build data, tokenizer, teacher, students (every loss x seed), index, search every system on the test split, evaluate and report",
    )
    .option(
      "--config <file>",
      "JSON configuration (unknown keys are rejected); default: the built-in benchmark",
    )
    .option(
      "--profile <name>",
      "named settings under the configuration: default (the 30-minute comparison) or full (128 pairs a step, twice the steps; about 1.5 hours here)",
    )
    .option("--out <dir>", "output folder (report.html/md/json, runs, models, config.json)", "runs/default")
    .option(
      "--tuned <file>",
      "a tuning file from `xlir tune` (DIR/tuning.json): its chosen settings replace the students' defaults",
    )
    .option("--seeds <list>", "comma-separated student seeds, e.g. 13,14,15 (overrides the config)")
    .option("--steps <n>", "student training steps of every loss (overrides the config and tuned settings)")
    .option("--teacher-steps <n>", "teacher training steps (overrides the config)")
    .option("--workers <n>", "students trained side by side, one process each (overrides the config)")
    .option("--device <device>", "cpu, cuda or cuda:N (overrides the config)")
    .option(
      "--directions <list>",
      "xx-en (foreign queries, English documents; the default), en-xx (English queries, foreign documents) or both",
    )
    .action(async (opts: OverrideOptions & { out: string; tuned?: string }) => {
      const config = configWithOverrides(opts);
      if (opts.tuned !== undefined) config.tuned = opts.tuned;
      await runExperiment(config, { outDir: opts.out, log: (m) => process.stderr.write(m + "\n") });
    });
}

export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new XlirError("USAGE", `${name} expects a positive integer, got '${value}'`);
  return n;
}
