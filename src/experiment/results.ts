/**
 * From runs to the report's numbers: every system evaluated on every benchmark language; students
 * run with several seeds give one row per seed and one seed-mean row (with the standard deviation
 * of the per-seed means). Paired tests use per-query values averaged over seeds:
 * - every system against teacher zero-shot (raw p, and p corrected across the systems of one
 *   benchmark language and measure);
 * - `ot` against `contrastive`, corrected across the languages of one benchmark and measure; the
 *   verdict names a winner only when the corrected p is below alpha AND the sign of the difference
 *   is the same in every seed (docs/method.md, "Protocol").
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
export const ALPHA = 0.05;

type Scores = Map<string, Map<string, number>>; // measure -> qid -> value

/** Mean of several per-query score maps (the same qids in each: complete evaluation). */
export function averageScores(list: Scores[]): Scores {
  if (list.length === 1) return list[0];
  const out: Scores = new Map();
  for (const [measure, first] of list[0]) {
    const m = new Map<string, number>();
    for (const qid of first.keys())
      m.set(qid, list.reduce((s, x) => s + (x.get(measure)?.get(qid) ?? 0), 0) / list.length);
    out.set(measure, m);
  }
  return out;
}

export function meanOf(m: Map<string, number> | undefined): number {
  if (!m || m.size === 0) return 0;
  let s = 0;
  for (const v of m.values()) s += v;
  return s / m.size;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/**
 * The verdict of A against B: a winner only when the corrected p is below `alpha` and every seed's
 * difference has the sign of the mean difference.
 */
export function verdictOf(
  a: string,
  b: string,
  meanDiff: number,
  pAdjusted: number,
  seedDiffs: readonly number[],
  alpha = ALPHA,
): string {
  const sign = Math.sign(meanDiff);
  const agree = sign !== 0 && seedDiffs.every((d) => Math.sign(d) === sign);
  if (pAdjusted < alpha && agree) return sign > 0 ? `${a} better` : `${b} better`;
  return "no significant difference";
}

export interface ExperimentResults {
  results: ReportResult[];
  comparisons: ReportComparison[];
}

interface SeedScores {
  seed: number | null;
  scores: Scores;
}

/** Evaluates every run and computes the comparisons that the report shows. */
export async function evaluateExperiment(
  config: ExperimentConfig,
  benchmarks: BenchmarkDef[],
  records: RunRecord[],
): Promise<ExperimentResults> {
  const e = config.evaluation;
  const measures = e.measures;
  const results: ReportResult[] = [];
  const comparisons: ReportComparison[] = [];
  for (const bench of benchmarks) {
    const pending: ReportComparison[] = [];
    for (const task of bench.tasks) {
      const mine = records.filter((r) => r.benchmark === bench.name && r.language === task.language);
      const perSeed = new Map<string, SeedScores[]>();
      for (const r of mine) {
        const scores = evaluateRun(task.qrels, await readRun(r.path), measures, { complete: true }).perQuery;
        perSeed.set(r.system, [...(perSeed.get(r.system) ?? []), { seed: r.seed, scores }]);
      }
      for (const list of perSeed.values()) list.sort((a, b) => (a.seed ?? 0) - (b.seed ?? 0));
      const scores = new Map(
        [...perSeed].map(([system, list]) => [system, averageScores(list.map((x) => x.scores))] as const),
      );
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
      const where = { benchmark: bench.name, language: task.language, direction: bench.direction };
      for (const row of table.rows) {
        const seeds = perSeed.get(row.system) ?? [];
        const seedMeans = seeds.map((s) => meanOf(s.scores.get(row.measure)));
        results.push({
          ...where,
          system: row.system,
          measure: row.measure,
          value: row.mean,
          ci_low: row.ciLow,
          ci_high: row.ciHigh,
          p_vs_baseline: row.p,
          p_holm: row.pAdjusted,
          baseline: row.isBaseline ? null : BASELINE,
          significant: row.significant,
          ...(seeds.length > 1 ? { seeds: seeds.length, sd: sampleSd(seedMeans) } : {}),
        });
        if (seeds.length > 1 || (seeds.length === 1 && seeds[0].seed !== null)) {
          seeds.forEach((s, i) => {
            results.push({
              ...where,
              system: row.system,
              measure: row.measure,
              value: seedMeans[i],
              ci_low: null,
              ci_high: null,
              p_vs_baseline: null,
              p_holm: null,
              baseline: null,
              significant: null,
              seed: s.seed as number,
            });
          });
        }
      }
      const ot = perSeed.get("ot");
      const contrastive = perSeed.get("contrastive");
      if (ot && contrastive) {
        const t = compareScores({
          scores: new Map([
            ["contrastive", scores.get("contrastive") as Scores],
            ["ot", scores.get("ot") as Scores],
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
          const am = ot.map((s) => meanOf(s.scores.get(measure)));
          const bm = contrastive.map((s) => meanOf(s.scores.get(measure)));
          const paired = Math.min(am.length, bm.length);
          pending.push({
            ...where,
            measure,
            systemA: "ot",
            systemB: "contrastive",
            meanA: a.mean,
            meanB: b.mean,
            sdA: sampleSd(am),
            sdB: sampleSd(bm),
            seedDiffs: Array.from({ length: paired }, (_, i) => am[i] - bm[i]),
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
      const adjusted = correct(
        e.correction,
        family.map((c) => c.p),
      );
      family.forEach((c, i) => {
        c.pAdjusted = adjusted[i];
        c.verdict = verdictOf("OT", "contrastive", c.meanA - c.meanB, c.pAdjusted, c.seedDiffs ?? []);
      });
    }
    comparisons.push(...pending);
  }
  return { results, comparisons };
}
