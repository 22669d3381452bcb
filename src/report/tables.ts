/** Table rows shared by the HTML and markdown reports. */
import type { ReportComparison, ReportInput, ReportResult, ReportStage, ReportStudent } from "./types.js";

const f4 = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4);
const fp = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "-" : x < 1e-4 ? x.toExponential(1) : x.toFixed(4);

/** Seed-mean rows (and rows of systems without seeds); per-seed rows carry a `seed`. */
export const isSummaryRow = (r: ReportResult): boolean => r.seed === undefined;

const meanSd = (m: number, sd: number | undefined): string =>
  sd === undefined ? f4(m) : `${f4(m)} ± ${f4(sd)}`;

const RESULT_HEAD = [
  "benchmark",
  "language",
  "system",
  "measure",
  "value (± sd over seeds)",
  "95% CI",
  "p vs baseline",
  "p (corrected)",
  "baseline",
  "sig.",
];
function resultCells(r: ReportResult): string[] {
  return [
    r.benchmark,
    r.language,
    r.system,
    r.measure,
    meanSd(r.value, r.sd),
    `[${f4(r.ci_low)}, ${f4(r.ci_high)}]`,
    fp(r.p_vs_baseline),
    fp(r.p_holm),
    r.baseline ?? "-",
    r.significant === null ? "-" : r.significant ? "*" : "",
  ];
}

const SEED_HEAD = ["benchmark", "language", "system", "measure", "seed", "value"];
function seedCells(r: ReportResult): string[] {
  return [r.benchmark, r.language, r.system, r.measure, String(r.seed ?? "-"), f4(r.value)];
}

const COMPARISON_HEAD = [
  "benchmark",
  "language",
  "measure",
  "A",
  "B",
  "A mean ± sd",
  "B mean ± sd",
  "per-seed A - B",
  "p",
  "p adj.",
  "verdict",
  "test",
  "correction",
];
function comparisonCells(c: ReportComparison): string[] {
  return [
    c.benchmark,
    c.language,
    c.measure,
    c.systemA,
    c.systemB,
    meanSd(c.meanA, c.sdA),
    meanSd(c.meanB, c.sdB),
    (c.seedDiffs ?? []).map((d) => (d >= 0 ? "+" : "") + d.toFixed(3)).join(" "),
    fp(c.p),
    fp(c.pAdjusted),
    c.verdict ?? "-",
    c.test,
    c.correction,
  ];
}

const STAGE_HEAD = ["stage", "seconds", "cached"];
function stageCells(s: ReportStage): string[] {
  return [s.name, s.seconds.toFixed(2), s.cached ? "yes" : "no"];
}

const STUDENT_HEAD = [
  "loss",
  "seed",
  "settings",
  "Sinkhorn iterations (mean)",
  "Sinkhorn converged (fraction)",
  "final loss statistics",
];
function studentCells(s: ReportStudent): string[] {
  const pick = (suffix: string): number | undefined => {
    const k = Object.keys(s.training).find((x) => x === suffix || x.endsWith(`.${suffix}`));
    return k === undefined ? undefined : s.training[k];
  };
  const settings = Object.entries(s.settings)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const other = Object.entries(s.training)
    .filter(([k]) => !/(meanIterations|convergedFraction)$/.test(k))
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(", ");
  const it = pick("meanIterations");
  const conv = pick("convergedFraction");
  return [
    s.loss,
    String(s.seed),
    settings,
    it === undefined ? "-" : it.toFixed(1),
    conv === undefined ? "-" : conv.toFixed(3),
    other || "-",
  ];
}

/** One table of a report: header cells and body rows. */
export interface ReportTable {
  head: string[];
  rows: string[][];
}

/**
 * The tables both reports show, from one input: the seed-mean results (always), and the pairwise
 * comparisons, per-seed rows, students and stage timings when the input has any (else null).
 */
export function reportTables(input: ReportInput): {
  results: ReportTable;
  comparisons: ReportTable | null;
  perSeed: ReportTable | null;
  students: ReportTable | null;
  stages: ReportTable | null;
} {
  const perSeed = input.results.filter((r) => !isSummaryRow(r));
  const some = (head: string[], rows: string[][]): ReportTable | null =>
    rows.length > 0 ? { head, rows } : null;
  return {
    results: { head: RESULT_HEAD, rows: input.results.filter(isSummaryRow).map(resultCells) },
    comparisons: some(COMPARISON_HEAD, input.comparisons.map(comparisonCells)),
    perSeed: some(SEED_HEAD, perSeed.map(seedCells)),
    students: some(STUDENT_HEAD, (input.students ?? []).map(studentCells)),
    stages: some(STAGE_HEAD, (input.stages ?? []).map(stageCells)),
  };
}
