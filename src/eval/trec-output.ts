/** trec_eval's text output: with -q each evaluated query's lines (qid order, measures in output order), then `all`. */
import { formatTrecLine } from "./format.js";
import type { EvalResult } from "./types.js";

export function formatTrecEval(result: EvalResult, perQuery: boolean): string {
  const out: string[] = [];
  if (perQuery) {
    for (const qid of result.queries) {
      for (const m of result.measures) {
        if (!m.perQuery) continue;
        out.push(formatTrecLine(m.name, qid, (result.perQuery.get(m.name) as Map<string, number>).get(qid) as number, m.integer));
      }
    }
  }
  for (const m of result.measures) out.push(formatTrecLine(m.name, "all", result.mean.get(m.name) as number, m.integer));
  return out.join("\n") + "\n";
}

/** JSON form: { measures, queries, mean: {m: v}, perQuery: {m: {qid: v}} }. */
export function evalResultToJson(result: EvalResult): Record<string, unknown> {
  const perQuery: Record<string, Record<string, number>> = {};
  for (const [m, q] of result.perQuery) perQuery[m] = Object.fromEntries(q);
  return { measures: result.measures, queries: result.queries, mean: Object.fromEntries(result.mean), perQuery };
}
