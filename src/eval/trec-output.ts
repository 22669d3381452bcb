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

/**
 * trec_eval's text output of a result: with `perQuery` the per-query lines first (trec_eval -q), then the summary (`all`) unless `summary` is false.
 * @example
 * ```ts
 * import { evaluateRun, formatTrecEval, parseQrels, parseRun } from "xlir";
 * const qrels = parseQrels("q1 0 d1 1\n");
 * const r = evaluateRun(qrels, parseRun("q1 Q0 d2 1 2 x\nq1 Q0 d1 2 1 x\n"), ["num_ret", "map"]);
 * const text = formatTrecEval(r, true);
 * console.assert(text === "num_ret               \tq1\t2\nmap                   \tq1\t0.5000\nnum_ret               \tall\t2\nmap                   \tall\t0.5000\n");
 * ```
 */
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

/**
 * JSON form: { measures, queries, mean: {m: v}, perQuery: {m: {qid: v}}, text: {m: {qid: s}} }.
 * @example
 * ```ts
 * import { evalResultToJson, evaluateRun, parseQrels, parseRun } from "xlir";
 * const r = evaluateRun(parseQrels("q1 0 d1 1\n"), parseRun("q1 Q0 d2 1 2 x\nq1 Q0 d1 2 1 x\n"), ["map"]);
 * const json = JSON.parse(JSON.stringify(evalResultToJson(r)));
 * console.assert(json.mean.map === 0.5 && json.perQuery.map.q1 === 0.5 && json.queries.join() === "q1");
 * ```
 */
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
