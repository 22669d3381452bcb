import type { Command } from "commander";
import { XlirError } from "../../errors.js";
import { FUSE_DEFAULTS, fuseRuns } from "../../eval/fusion/fuse.js";
import { readRun, writeRun } from "../../eval/run.js";
import type { Run } from "../../eval/types.js";
import { parseFloatOption, printJson } from "../util.js";

/** Registers `xlir fuse`: RRF / CombSUM / CombMNZ fusion of TREC runs (ranx's definitions). */
export function register(program: Command): void {
  program
    .command("fuse")
    .description(
      "fuse TREC runs with reciprocal rank fusion, CombSUM or CombMNZ (ranx's definitions) into one run",
    )
    .argument("<runs...>", "two or more run files covering the same queries (.gz accepted)")
    .requiredOption("--out <file>", "fused run file to write (.gz for gzip)")
    .option("--method <rrf|combsum|combmnz>", "fusion method", "rrf")
    .option(
      "--k <n>",
      "RRF constant: a document at rank r scores 1 / (k + r)",
      parseFloatOption("--k"),
      FUSE_DEFAULTS.k,
    )
    .option(
      "--norm <minmax|zscore|none>",
      "per-query score normalisation before combsum/combmnz (RRF uses ranks only)",
      FUSE_DEFAULTS.norm,
    )
    .option("--tag <name>", "run tag of the fused run (default: the method)")
    .option("--json", "print a JSON summary")
    .addHelpText(
      "after",
      `
rrf:     score(d) = sum over runs of 1 / (k + rank of d), 0 where a run misses d.
combsum: score(d) = sum over runs of the normalised score of d (0 where missing).
combmnz: combsum(d) * number of runs that retrieve d.
minmax:  (s - min) / max(max - min, 1e-9) per query and run; zscore: (s - mean) / max(std, 1e-9).
Ranks follow trec_eval (score descending, docno descending on ties). Every run must have the same queries.`,
    )
    .action(
      async (
        paths: string[],
        o: { out: string; method: string; k: number; norm: string; tag?: string; json?: boolean },
      ) => {
        if (paths.length < 2)
          throw new XlirError("USAGE", `fuse needs at least two runs, got ${paths.length}`);
        const runs: Run[] = [];
        for (const p of paths) runs.push(await readRun(p));
        const fused = fuseRuns(runs, {
          method: o.method,
          k: o.k,
          norm: o.norm,
          names: paths.map((p) => `run '${p}'`),
        });
        const tag = o.tag ?? o.method;
        await writeRun(o.out, fused, tag);
        let lines = 0;
        for (const e of fused.values()) lines += e.length;
        if (o.json)
          printJson({
            method: o.method,
            k: o.k,
            norm: o.norm,
            runs: paths,
            out: o.out,
            queries: fused.size,
            lines,
          });
      },
    );
}
