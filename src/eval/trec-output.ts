/**
 * trec_eval's text output: with -q each evaluated query's lines (qid order, measures in output order),
 * then the summary (`all`). Per query: every measure but num_q, gm_map, gm_bpref and runid; relstring
 * prints `'...'`. Summary: every measure but relstring; runid prints the run tag.
 */
import { formatTrecLine } from "./format.js";
import type { EvalResult, MeasureInfo } from "./types.js";

function value(result: EvalResult, m: MeasureInfo, qid: string): number | string {
  if (m.text) return result.text.get(m.name)?.get(qid) ?? "";
  const v = qid === "all" ? result.mean.get(m.name) : result.perQuery.get(m.name)?.get(qid);
  return v as number;
}

function format(m: MeasureInfo): "integer" | "float" | "text" | "quoted" {
  return m.text ? (m.perQuery ? "quoted" : "text") : m.integer ? "integer" : "float";
}

export function formatTrecEval(result: EvalResult, perQuery: boolean, summary = true): string {
  const out: string[] = [];
  const measures = result.measures.map((m) => ({ m, fmt: format(m) }));
  if (perQuery) {
    const shown = measures.filter(({ m }) => m.perQuery);
    for (const qid of result.queries) {
      for (const { m, fmt } of shown) out.push(formatTrecLine(m.name, qid, value(result, m, qid), fmt));
    }
  }
  if (summary) {
    for (const { m } of measures) {
      if (m.summary === false) continue;
      out.push(
        formatTrecLine(
          m.name,
          "all",
          value(result, m, "all"),
          m.text ? "text" : m.integer ? "integer" : "float",
        ),
      );
    }
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

/** JSON form: { measures, queries, mean: {m: v}, perQuery: {m: {qid: v}}, text: {m: {qid: s}} }. */
export function evalResultToJson(result: EvalResult): Record<string, unknown> {
  const perQuery: Record<string, Record<string, number>> = {};
  for (const [m, q] of result.perQuery) perQuery[m] = Object.fromEntries(q);
  const text: Record<string, Record<string, string>> = {};
  for (const [m, q] of result.text) text[m] = Object.fromEntries(q);
  return {
    measures: result.measures,
    queries: result.queries,
    mean: Object.fromEntries(result.mean),
    perQuery,
    text,
  };
}
