/** Table rows shared by the HTML and markdown reports. */
import type { ReportComparison, ReportResult, ReportStage, ReportStudent } from "./types.js";

export const f4 = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(4);
export const fp = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "-" : x < 1e-4 ? x.toExponential(1) : x.toFixed(4);

/** Seed-mean rows (and rows of systems without seeds); per-seed rows carry a `seed`. */
export const isSummaryRow = (r: ReportResult): boolean => r.seed === undefined;

const meanSd = (m: number, sd: number | undefined): string =>
  sd === undefined ? f4(m) : `${f4(m)} ± ${f4(sd)}`;

export const RESULT_HEAD = [
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
export function resultCells(r: ReportResult): string[] {
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

export const SEED_HEAD = ["benchmark", "language", "system", "measure", "seed", "value"];
export function seedCells(r: ReportResult): string[] {
  return [r.benchmark, r.language, r.system, r.measure, String(r.seed ?? "-"), f4(r.value)];
}

export const COMPARISON_HEAD = [
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
export function comparisonCells(c: ReportComparison): string[] {
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

export const STAGE_HEAD = ["stage", "seconds", "cached"];
export function stageCells(s: ReportStage): string[] {
  return [s.name, s.seconds.toFixed(2), s.cached ? "yes" : "no"];
}

export const STUDENT_HEAD = [
  "loss",
  "seed",
  "settings",
  "Sinkhorn iterations (mean)",
  "Sinkhorn converged (fraction)",
  "final loss statistics",
];
export function studentCells(s: ReportStudent): string[] {
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
