/**
 * From runs to the report's numbers: every system evaluated on every benchmark language (per-query
 * values averaged over seeds for the students), compared with teacher zero-shot (paired test,
 * correction across the systems of one measure), and `ot` compared with `contrastive`
 * (correction across the languages of one benchmark and measure).
 */
import { compareScores } from "../eval/compare.js";
import { evaluateRun } from "../eval/evaluate.js";
import { readRun } from "../eval/run.js";
import { correct } from "../eval/significance/corrections.js";
import type { ReportComparison, ReportResult } from "../report/types.js";
import type { BenchmarkDef } from "./benchmarks.js";
import type { ExperimentConfig } from "./config.js";
import type { RunRecord } from "./systems.js";

export const BASELINE = "teacher-zero-shot";

type Scores = Map<string, Map<string, number>>; // measure -> qid -> value

/** Mean of several per-query score maps (the same qids in each: complete evaluation). */
function averageScores(list: Scores[]): Scores {
  if (list.length === 1) return list[0];
  const out: Scores = new Map();
  for (const [measure, first] of list[0]) {
    const m = new Map<string, number>();
    for (const qid of first.keys()) m.set(qid, list.reduce((s, x) => s + (x.get(measure)?.get(qid) ?? 0), 0) / list.length);
    out.set(measure, m);
  }
  return out;
}

function meanOf(m: Map<string, number> | undefined): number {
  if (!m || m.size === 0) return 0;
  let s = 0;
  for (const v of m.values()) s += v;
  return s / m.size;
}

export interface ExperimentResults {
  results: Array<ReportResult & { seed_means?: number[] }>;
  comparisons: ReportComparison[];
}

/** Evaluates every run and computes the comparisons that the report shows. */
export async function evaluateExperiment(config: ExperimentConfig, benchmarks: BenchmarkDef[], records: RunRecord[]): Promise<ExperimentResults> {
  const e = config.evaluation;
  const measures = e.measures;
  const results: ExperimentResults["results"] = [];
  const comparisons: ReportComparison[] = [];
  for (const bench of benchmarks) {
    const pending: ReportComparison[] = [];
    for (const task of bench.tasks) {
      const mine = records.filter((r) => r.benchmark === bench.name && r.language === task.language);
      const perSeed = new Map<string, Scores[]>();
      for (const r of mine) {
        const scores = evaluateRun(task.qrels, await readRun(r.path), measures, { complete: true }).perQuery;
        perSeed.set(r.system, [...(perSeed.get(r.system) ?? []), scores]);
      }
      const scores = new Map([...perSeed].map(([system, list]) => [system, averageScores(list)] as const));
      if (!scores.has(BASELINE)) continue;
      const table = compareScores({
        scores,
        baseline: BASELINE,
        measures,
        test: e.test,
        correction: e.correction,
        seed: config.seeds[0],
        permutations: e.permutations,
        bootstrap: e.bootstrap,
      });
      for (const row of table.rows) {
        const seeds = perSeed.get(row.system) ?? [];
        results.push({
          benchmark: bench.name,
          language: task.language,
          system: row.system,
          measure: row.measure,
          value: row.mean,
          ci_low: row.ciLow,
          ci_high: row.ciHigh,
          p_vs_baseline: row.p,
          baseline: row.isBaseline ? null : BASELINE,
          significant: row.significant,
          ...(seeds.length > 1 ? { seed_means: seeds.map((s) => meanOf(s.get(row.measure))) } : {}),
        });
      }
      const ot = scores.get("ot");
      const contrastive = scores.get("contrastive");
      if (ot && contrastive) {
        const t = compareScores({
          scores: new Map([
            ["contrastive", contrastive],
            ["ot", ot],
          ]),
          baseline: "contrastive",
          measures,
          test: e.test,
          correction: "none",
          seed: config.seeds[0],
          permutations: e.permutations,
          bootstrap: 1000,
        });
        for (const measure of measures) {
          const a = t.rows.find((r) => r.system === "ot" && r.measure === measure);
          const b = t.rows.find((r) => r.system === "contrastive" && r.measure === measure);
          if (!a || !b) continue;
          pending.push({
            benchmark: bench.name,
            language: task.language,
            measure,
            systemA: "ot",
            systemB: "contrastive",
            meanA: a.mean,
            meanB: b.mean,
            p: a.p as number,
            pAdjusted: a.p as number,
            test: e.test,
            correction: e.correction,
          });
        }
      }
    }
    // one family per benchmark and measure: the languages
    for (const measure of measures) {
      const family = pending.filter((c) => c.measure === measure);
      const adjusted = correct(e.correction, family.map((c) => c.p));
      family.forEach((c, i) => (c.pAdjusted = adjusted[i]));
    }
    comparisons.push(...pending);
  }
  return { results, comparisons };
}
