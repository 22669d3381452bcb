import type { Command } from "commander";
import { mkdtempSync, mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateRunFile } from "../../../eval/evaluate.js";
import { readQrels } from "../../../eval/qrels.js";
import { writeSyntheticEvalData } from "../../../eval/synthetic.js";
import { formatTrecEval } from "../../../eval/trec-output.js";
import { parseIntOption, printJson } from "../../util.js";

/** The measures timed: every family xlir implements, default cut-offs (pass the same -m list to trec_eval). */
export const BENCH_MEASURES = [
  "num_q",
  "num_ret",
  "num_rel",
  "num_rel_ret",
  "map",
  "Rprec",
  "bpref",
  "recip_rank",
  "P",
  "recall",
  "ndcg_cut",
  "success",
];

/** Registers `xlir bench evaluate`: synthetic qrels/run, then the time of `evaluate` with all measures. */
export function register(bench: Command): void {
  bench
    .command("evaluate")
    .description("time `xlir evaluate -q` (all measures) on a synthetic run of queries x docs")
    .option("--queries <n>", "queries", parseIntOption("--queries"), 10000)
    .option("--docs <n>", "documents per query", parseIntOption("--docs"), 1000)
    .option("--seed <n>", "seed", parseIntOption("--seed"), 1)
    .option(
      "--repeat <n>",
      "timed repetitions (the minimum and all times are reported)",
      parseIntOption("--repeat"),
      3,
    )
    .option("--dir <folder>", "write the files here and keep them (default: a temporary folder, removed)")
    .option("--json", "print one JSON object")
    .action(
      async (o: {
        queries: number;
        docs: number;
        seed: number;
        repeat: number;
        dir?: string;
        json?: boolean;
      }) => {
        const dir = o.dir ?? mkdtempSync(join(tmpdir(), "xlir-bench-eval-"));
        mkdirSync(dir, { recursive: true });
        const t0 = performance.now();
        const files = await writeSyntheticEvalData(dir, { queries: o.queries, docs: o.docs, seed: o.seed });
        const genSeconds = (performance.now() - t0) / 1000;
        const times: number[] = [];
        let lines = 0;
        let map = 0;
        for (let r = 0; r < Math.max(1, o.repeat); r++) {
          const t = performance.now();
          const qrels = await readQrels(files.qrels);
          const result = await evaluateRunFile(qrels, files.run, BENCH_MEASURES, { complete: false });
          lines = formatTrecEval(result, true).split("\n").length - 1;
          map = result.mean.get("map") as number;
          times.push((performance.now() - t) / 1000);
        }
        const out = {
          bench: "evaluate",
          queries: o.queries,
          docsPerQuery: o.docs,
          runLines: files.runLines,
          qrelsLines: files.qrelsLines,
          runBytes: statSync(files.run).size,
          measures: BENCH_MEASURES,
          flags: "-q (per-query output formatted, not printed)",
          generateSeconds: genSeconds,
          seconds: Math.min(...times),
          allSeconds: times,
          linesPerSecond: files.runLines / Math.min(...times),
          outputLines: lines,
          map,
          dir: o.dir ?? null,
          node: process.version,
        };
        if (!o.dir) rmSync(dir, { recursive: true, force: true });
        if (o.json) printJson(out);
        else
          process.stdout.write(
            `evaluate: ${out.runLines} run lines in ${out.seconds.toFixed(2)} s (${Math.round(out.linesPerSecond)} lines/s), map ${map.toFixed(4)}\n`,
          );
      },
    );
}
