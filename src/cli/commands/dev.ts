import type { Command } from "commander";
import { runDevEvaluation } from "../../experiment/dev-eval.js";
import { applyTuning } from "../../experiment/settings.js";
import { configWithOverrides, type OverrideOptions } from "./experiment.js";

/** Registers `xlir dev`: the configured students, every seed, evaluated on the dev split only. */
export function register(program: Command): void {
  program
    .command("dev")
    .description(
      "train the students the experiment would train (every loss x seed) and evaluate them on the dev split only, beside the teacher; writes DIR/dev.json and DIR/dev.md (how a recipe change is measured without test judgments)",
    )
    .option(
      "--config <file>",
      "JSON configuration (unknown keys are rejected); default: the built-in benchmark",
    )
    .option("--profile <name>", "named settings under the configuration: default or full")
    .option("--out <dir>", "output folder (dev.json, dev.md, models and dev runs)", "runs/dev")
    .option("--tuned <file>", "a tuning file from `xlir tune`: its chosen settings replace the defaults")
    .option("--label <text>", "what this run measures (a lever's name), recorded in dev.json and dev.md")
    .option("--seeds <list>", "comma-separated student seeds (overrides the config)")
    .option("--steps <n>", "student training steps of every loss (overrides the config)")
    .option("--teacher-steps <n>", "teacher training steps (overrides the config)")
    .option("--workers <n>", "students trained side by side, one process each (overrides the config)")
    .option("--device <device>", "cpu, cuda or cuda:N (overrides the config)")
    .action(async (opts: OverrideOptions & { out: string; tuned?: string; label?: string }) => {
      let config = configWithOverrides(opts);
      if (opts.tuned !== undefined) config = applyTuning(config, opts.tuned);
      const command = ["xlir", ...process.argv.slice(2)].join(" ");
      await runDevEvaluation(config, {
        outDir: opts.out,
        log: (m) => process.stderr.write(m + "\n"),
        label: opts.label,
        command,
      });
    });
}
