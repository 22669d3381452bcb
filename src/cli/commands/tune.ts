import type { Command } from "commander";
import { runTuning } from "../../experiment/tune.js";
import { configWithOverrides, type OverrideOptions } from "./experiment.js";

/** Registers `xlir tune`: the equal-budget dev sweep of every student loss. */
export function register(program: Command): void {
  program
    .command("tune")
    .description(
      "search each student loss's settings on the dev split only (same trials and total steps per loss); writes DIR/tuning.json for `xlir experiment --tuned`",
    )
    .option(
      "--config <file>",
      "JSON configuration (its `tuning` section sets the grid); default: the built-in benchmark",
    )
    .option("--profile <name>", "named settings under the configuration: default or full")
    .option("--out <dir>", "output folder (tuning.json, tuning.md, trial models and dev runs)", "runs/tune")
    .option("--seeds <list>", "the first seed trains every trial (overrides the config)")
    .option("--teacher-steps <n>", "teacher training steps (overrides the config)")
    .option("--workers <n>", "trials trained side by side, one process each (overrides the config)")
    .option("--device <device>", "cpu, cuda or cuda:N (overrides the config)")
    .action(async (opts: OverrideOptions & { out: string }) => {
      const config = configWithOverrides(opts);
      const command = ["xlir", ...process.argv.slice(2)].join(" ");
      await runTuning(config, { outDir: opts.out, log: (m) => process.stderr.write(m + "\n"), command });
    });
}
