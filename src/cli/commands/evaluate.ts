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
    .option("-m, --measure <name>", "measure: trec_eval name (map, P.5,10, ndcg_cut, ...), nickname (official, all_trec) or alias (AP, nDCG@10, RR@10, R@100, P@10); repeatable", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("-q, --per-query", "print per-query values too")
    .option("-c, --complete", "average over every qrels query (a query missing from the run scores 0)")
    .option("-M, --depth <n>", "only the top n documents of each query count", parseIntOption("-M"))
    .option("-l, --level <n>", "grades >= n are relevant (default 1)", parseIntOption("-l"))
    .option("--json", "print JSON with per-query values")
    .action(async (qrelsPath: string, runPath: string, o: { measure: string[]; perQuery?: boolean; complete?: boolean; depth?: number; level?: number; json?: boolean }) => {
      const qrels = await readQrels(qrelsPath);
      const measures = o.measure.length > 0 ? o.measure : [...OFFICIAL];
      const result = await evaluateRunFile(qrels, runPath, measures, {
        complete: o.complete ?? false,
        depth: o.depth,
        relevanceLevel: o.level,
      });
      if (o.json) printJson(evalResultToJson(result));
      else process.stdout.write(formatTrecEval(result, o.perQuery ?? false));
    });
}
