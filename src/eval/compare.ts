/**
 * Comparing systems with one baseline: per measure, each system's mean with a bootstrap CI, a paired
 * test against the baseline over the same queries, and a correction across the systems compared with
 * that baseline (one family of tests per measure). Seeds are explicit and recorded in the table.
 */
import { XlirError } from "../errors.js";
import { evaluateRun } from "./evaluate.js";
import { bootstrapCI } from "./significance/bootstrap.js";
import { correct, type CorrectionName } from "./significance/corrections.js";
import { pairedTest, type TestName } from "./significance/tests.js";
import { sortBytes } from "./strings.js";
import type { EvalOptions, MeasureInfo, Qrels, Run } from "./types.js";

export interface ComparisonRow {
  system: string;
  measure: string;
  mean: number;
  ciLow: number;
  ciHigh: number;
  /** p-value against the baseline (null for the baseline row). */
  p: number | null;
  pAdjusted: number | null;
  /** pAdjusted < alpha (null for the baseline row). */
  significant: boolean | null;
  /** number of paired queries. */
  n: number;
  isBaseline: boolean;
}

export interface ComparisonTable {
  rows: ComparisonRow[];
  systems: string[];
  measures: string[];
  baseline: string;
  test: TestName;
  correction: CorrectionName;
  alpha: number;
  seed: number;
  permutations: number;
  bootstrap: number;
}

export interface CompareScoresOptions {
  /** system -> measure -> qid -> value (e.g. EvalResult.perQuery of each run). */
  scores: Map<string, Map<string, Map<string, number>>>;
  baseline: string;
  measures: readonly string[];
  test?: TestName;
  correction?: CorrectionName;
  seed?: number;
  permutations?: number;
  bootstrap?: number;
  alpha?: number;
}

export interface CompareSystemsOptions extends Omit<CompareScoresOptions, "scores"> {
  qrels: Qrels;
  runs: Map<string, Run>;
  /** evaluation options; default complete (-c) so every system is scored on every judged query. */
  eval?: EvalOptions;
}

export const COMPARE_DEFAULTS = {
  test: "t" as TestName,
  correction: "holm" as CorrectionName,
  seed: 42,
  permutations: 10000,
  bootstrap: 10000,
  alpha: 0.05,
};

/**
 * The measures that have a numeric value per query (what the tests compare): runid, relstring (text),
 * num_q, gm_map, gm_bpref (summary only) are left out when a nickname such as all_trec brought them,
 * and refused when named.
 */
function comparable(measures: readonly MeasureInfo[], requested: readonly string[]): string[] {
  for (const m of measures) {
    if ((m.text || !m.perQuery) && requested.includes(m.name)) {
      throw new XlirError(
        "USAGE",
        `measure '${m.name}' has no numeric per-query values to compare (${m.text ? "a string" : "summary only in trec_eval"})${m.name.startsWith("gm_") ? `; compare '${m.name.slice(3)}' instead` : ""}`,
      );
    }
  }
  return measures.filter((m) => !m.text && m.perQuery).map((m) => m.name);
}

/** Evaluates every run, then compares them (see compareScores). */
/**
 * @example
 * ```ts
 * import { compareSystems, parseQrels, parseRun } from "xlir";
 * const qrels = parseQrels("q1 0 d1 1\nq2 0 d2 1\n");
 * const runs = new Map([
 *   ["a", parseRun("q1 Q0 d1 1 1 a\nq2 Q0 d1 1 1 a\n")],
 *   ["b", parseRun("q1 Q0 d1 1 1 b\nq2 Q0 d2 1 1 b\n")],
 * ]);
 * const table = compareSystems({ qrels, runs, baseline: "a", measures: ["P.1"], bootstrap: 100 });
 * console.assert(table.rows.find((r) => r.system === "b")!.mean === 1);
 * ```
 */
export function compareSystems(o: CompareSystemsOptions): ComparisonTable {
  if (!o.runs.has(o.baseline))
    throw new XlirError(
      "USAGE",
      `baseline '${o.baseline}' is not one of the runs: ${[...o.runs.keys()].join(", ")}`,
    );
  const scores = new Map<string, Map<string, Map<string, number>>>();
  let names: string[] | undefined;
  for (const [name, run] of o.runs) {
    const r = evaluateRun(o.qrels, run, o.measures, o.eval ?? { complete: true });
    scores.set(name, r.perQuery);
    names ??= comparable(r.measures, o.measures);
  }
  return compareScores({ ...o, scores, measures: names ?? [] });
}

/** Compares per-query scores of systems against a baseline: means, CIs, p-values, corrections. */
/**
 * @example
 * ```ts
 * import { compareScores } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["RR@10", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const table = compareScores({
 *   scores: new Map([["bm25", perQuery([0.1, 0.2, 0.3, 0.2])], ["ot", perQuery([0.5, 0.6, 0.4, 0.7])]]),
 *   baseline: "bm25",
 *   measures: ["RR@10"],
 *   bootstrap: 1000,
 * });
 * const ot = table.rows.find((r) => r.system === "ot")!;
 * console.assert(Math.abs(ot.mean - 0.55) < 1e-12 && ot.p !== null && ot.p < 0.05);
 * ```
 */
export function compareScores(o: CompareScoresOptions): ComparisonTable {
  const test = o.test ?? COMPARE_DEFAULTS.test;
  const correction = o.correction ?? COMPARE_DEFAULTS.correction;
  const seed = o.seed ?? COMPARE_DEFAULTS.seed;
  const permutations = o.permutations ?? COMPARE_DEFAULTS.permutations;
  const bootstrap = o.bootstrap ?? COMPARE_DEFAULTS.bootstrap;
  const alpha = o.alpha ?? COMPARE_DEFAULTS.alpha;
  if (test === "randomization" && permutations < 10000) {
    // Allowed (tests use fewer), but recorded in the table so a reader sees it.
  }
  const base = o.scores.get(o.baseline);
  if (base === undefined)
    throw new XlirError(
      "USAGE",
      `baseline '${o.baseline}' is not one of the systems: ${[...o.scores.keys()].join(", ")}`,
    );
  const systems = [o.baseline, ...[...o.scores.keys()].filter((s) => s !== o.baseline)];
  const rows: ComparisonRow[] = [];
  for (const measure of o.measures) {
    const bm = base.get(measure);
    if (bm === undefined)
      throw new XlirError("USAGE", `measure '${measure}' missing from the baseline's scores`);
    const measureRows: ComparisonRow[] = [];
    for (const system of systems) {
      const sm = o.scores.get(system)!.get(measure);
      if (sm === undefined)
        throw new XlirError("USAGE", `measure '${measure}' missing from system '${system}'`);
      const qids = sortBytes([...sm.keys()].filter((q) => bm.has(q)));
      const a = qids.map((q) => sm.get(q) as number);
      const b = qids.map((q) => bm.get(q) as number);
      const own = [...sm.values()];
      const ci = bootstrapCI(own, { seed, samples: bootstrap });
      const isBaseline = system === o.baseline;
      const p = isBaseline ? null : pairedTest(test, a, b, { seed, permutations }).p;
      measureRows.push({
        system,
        measure,
        mean: ci.mean,
        ciLow: ci.low,
        ciHigh: ci.high,
        p,
        pAdjusted: null,
        significant: null,
        n: isBaseline ? own.length : qids.length,
        isBaseline,
      });
    }
    const tested = measureRows.filter((r) => !r.isBaseline);
    const adj = correct(
      correction,
      tested.map((r) => r.p as number),
    );
    tested.forEach((r, i) => {
      r.pAdjusted = adj[i];
      r.significant = adj[i] < alpha;
    });
    rows.push(...measureRows);
  }
  return {
    rows,
    systems,
    measures: [...o.measures],
    baseline: o.baseline,
    test,
    correction,
    alpha,
    seed,
    permutations,
    bootstrap,
  };
}
