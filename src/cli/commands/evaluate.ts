import type { Command } from "commander";
import { evaluateRunFile } from "../../eval/evaluate.js";
import { readQrels } from "../../eval/qrels.js";
import { evalResultToJson, formatTrecEval } from "../../eval/trec-output.js";
import { OFFICIAL } from "../../eval/measures/registry.js";
import { parseIntOption, printJson } from "../util.js";

/** Registers `xlir evaluate`: trec_eval 10.0's common flags and output. */
export function register(program: Command): void {
  program
    .command("evaluate")
    .description("evaluate a TREC run against qrels with trec_eval 10.0's numbers and output format")
    .argument("<qrels>", "qrels file (qid iter docno grade; .gz accepted)")
    .argument("<run>", "run file (qid Q0 docno rank score tag; .gz accepted)")
    .option(
      "-m, --measure <name>",
      "measure: trec_eval name (map, P.5,10, ndcg_cut, ...), nickname (official, all_trec) or alias (AP, nDCG@10, RR@10, R@100, P@10); repeatable",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("-q, --per-query", "print per-query values too")
    .option("-c, --complete", "average over every qrels query (a query missing from the run scores 0)")
    .option("-M, --depth <n>", "only the top n documents of each query count", parseIntOption("-M"))
    .option("-l, --level <n>", "grades >= n are relevant (default 1)", parseIntOption("-l"))
    .option(
      "-N, --num-docs <n>",
      "documents in the collection (utility's fourth coefficient; default 0)",
      parseIntOption("-N"),
    )
    .option("-n, --no-summary", "print no summary (`all`) lines")
    .option("--json", "print JSON with per-query values")
    .addHelpText(
      "after",
      `
Without -m the measures are trec_eval's default ("official"): runid, num_q, num_ret, num_rel,
num_rel_ret, map, gm_map, Rprec, bpref, recip_rank, iprec_at_recall, P. -m all_trec gives every
trec_eval measure for qrels and runs (add dcg, ideal_dcg, yaap by name); -m set the unranked ones.
Parameters as in trec_eval: P.5,10  map_cut.100  iprec_at_recall.0.5  utility.2,-1,0,0
ndcg.1=3.5,2=9  rbp.p=0.8. Aliases: AP, nDCG@10, RR@10, R@100, P@10, Judged@10, P(rel=2)@5.
Without -c every judged query must have results (exit status 4 otherwise, as trec_eval).`,
    )
    .action(
      async (
        qrelsPath: string,
        runPath: string,
        o: {
          measure: string[];
          perQuery?: boolean;
          complete?: boolean;
          depth?: number;
          level?: number;
          numDocs?: number;
          summary: boolean;
          json?: boolean;
        },
      ) => {
        const qrels = await readQrels(qrelsPath);
        const measures = o.measure.length > 0 ? o.measure : [...OFFICIAL];
        const result = await evaluateRunFile(qrels, runPath, measures, {
          complete: o.complete ?? false,
          depth: o.depth,
          relevanceLevel: o.level,
          numDocs: o.numDocs,
        });
        if (o.json) printJson(evalResultToJson(result));
        else process.stdout.write(formatTrecEval(result, o.perQuery ?? false, o.summary));
      },
    );
}
