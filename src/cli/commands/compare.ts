import type { Command } from "commander";
import { basename } from "node:path";
import { XlirError } from "../../errors.js";
import { compareSystems } from "../../eval/compare.js";
import { renderComparison } from "../../eval/compare-render.js";
import { readQrels } from "../../eval/qrels.js";
import { readRun } from "../../eval/run.js";
import type { CorrectionName } from "../../eval/significance/corrections.js";
import type { TestName } from "../../eval/significance/tests.js";
import type { Run } from "../../eval/types.js";
import { parseIntOption } from "../util.js";

interface CompareCliOptions {
  qrels: string;
  baseline: string;
  measure: string[];
  test: string;
  correction: string;
  seed: number;
  permutations: number;
  bootstrap: number;
  format: string;
}

/** Registers `xlir compare`: systems x measures with bootstrap CIs and tests against a baseline. */
export function register(program: Command): void {
  program
    .command("compare")
    .description(
      "compare runs against a baseline: means, 95% bootstrap CIs, paired tests, multiple-comparison correction",
    )
    .requiredOption("--qrels <file>", "qrels file")
    .requiredOption("--baseline <run>", "baseline run file")
    .argument("<runs...>", "other run files (system name = file name)")
    .option(
      "-m, --measure <name>",
      "measure (repeatable; default map, nDCG@10, RR@10, R@100)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--test <t|randomization>", "paired test", "t")
    .option("--correction <holm|bonferroni|none>", "multiple-comparison correction", "holm")
    .option("--seed <n>", "seed of the randomisation test and the bootstrap", parseIntOption("--seed"), 42)
    .option("--permutations <n>", "randomisation test permutations", parseIntOption("--permutations"), 10000)
    .option("--bootstrap <n>", "bootstrap resamples", parseIntOption("--bootstrap"), 10000)
    .option("--format <text|markdown|latex|json>", "output format", "text")
    .action(async (runPaths: string[], o: CompareCliOptions) => {
      if (o.test !== "t" && o.test !== "randomization")
        throw new XlirError("USAGE", `--test must be t or randomization, got '${o.test}'`);
      if (!["holm", "bonferroni", "none"].includes(o.correction))
        throw new XlirError("USAGE", `--correction must be holm, bonferroni or none, got '${o.correction}'`);
      const qrels = await readQrels(o.qrels);
      const runs = new Map<string, Run>();
      const baseline = basename(o.baseline);
      for (const p of [o.baseline, ...runPaths]) {
        const name = basename(p);
        if (runs.has(name))
          throw new XlirError("USAGE", `two runs are named '${name}'; give them different file names`);
        runs.set(name, await readRun(p));
      }
      const table = compareSystems({
        qrels,
        runs,
        baseline,
        measures: o.measure.length ? o.measure : ["map", "nDCG@10", "RR@10", "R@100"],
        test: o.test as TestName,
        correction: o.correction as CorrectionName,
        seed: o.seed,
        permutations: o.permutations,
        bootstrap: o.bootstrap,
      });
      process.stdout.write(renderComparison(table, o.format));
    });
}
