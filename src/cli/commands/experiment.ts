import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { loadExperimentConfig } from "../../experiment/config.js";
import { runExperiment } from "../../experiment/run.js";

/** Registers `xlir experiment`: the OT-versus-contrastive comparison, end to end. */
export function register(program: Command): void {
  program
    .command("experiment")
    .description(
      "the main job: build data, tokenizer, teacher, students (ot, contrastive, mse, ot+contrastive), index, search every system, evaluate and report",
    )
    .option("--config <file>", "JSON configuration (unknown keys are rejected); default: the built-in benchmark")
    .option("--out <dir>", "output folder (report.html/md/json, runs, models, config.json)", "runs/default")
    .option("--seeds <list>", "comma-separated student seeds, e.g. 1,2,3 (overrides the config)")
    .option("--steps <n>", "student training steps (overrides the config)")
    .option("--teacher-steps <n>", "teacher training steps (overrides the config)")
    .action(async (opts: { config?: string; out: string; seeds?: string; steps?: string; teacherSteps?: string }) => {
      const config = loadExperimentConfig(opts.config);
      if (opts.seeds !== undefined) {
        const seeds = opts.seeds.split(",").map((s) => Number(s.trim()));
        if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
          throw new XlirError("USAGE", `--seeds expects comma-separated non-negative integers, got '${opts.seeds}'`);
        }
        config.seeds = seeds;
      }
      if (opts.steps !== undefined) config.students.optim.steps = positiveInt("--steps", opts.steps);
      if (opts.teacherSteps !== undefined) config.teacher.optim.steps = positiveInt("--teacher-steps", opts.teacherSteps);
      await runExperiment(config, { outDir: opts.out, log: (m) => process.stderr.write(m + "\n") });
    });
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new XlirError("USAGE", `${name} expects a positive integer, got '${value}'`);
  return n;
}
