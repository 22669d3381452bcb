/** Renderers of a ComparisonTable: text, markdown, LaTeX (booktabs) and JSON. */
import { XlirError } from "../errors.js";
import type { ComparisonRow, ComparisonTable } from "./compare.js";

const f4 = (x: number): string => x.toFixed(4);
const fp = (x: number | null): string => (x === null ? "-" : x < 1e-4 ? x.toExponential(1) : x.toFixed(4));

function cells(t: ComparisonTable, mark: string): string[][] {
  const head = ["system", ...t.measures.flatMap((m) => [m, "95% CI", "p", "p_adj"])];
  const body = t.systems.map((s) => [
    s + (s === t.baseline ? " (baseline)" : ""),
    ...t.measures.flatMap((m) => {
      const r = t.rows.find((x) => x.system === s && x.measure === m) as ComparisonRow;
      return [
        f4(r.mean) + (r.significant ? mark : ""),
        `[${f4(r.ciLow)}, ${f4(r.ciHigh)}]`,
        fp(r.p),
        fp(r.pAdjusted),
      ];
    }),
  ]);
  return [head, ...body];
}

function footnote(t: ComparisonTable): string {
  const test =
    t.test === "t" ? "two-sided paired t-test" : `paired randomisation test (${t.permutations} permutations)`;
  return `${test} vs ${t.baseline}, ${t.correction} correction, * = p_adj < ${t.alpha}; 95% percentile bootstrap CI (${t.bootstrap} resamples); seed ${t.seed}`;
}

/**
 * The table as aligned plain text, significant means marked `*`, with a footnote naming the test, correction and seed.
 * @example
 * ```ts
 * import { compareScores, renderComparisonText } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["P_1", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const scores = new Map([["bm25", perQuery([0, 1, 0, 1])], ["ot", perQuery([1, 1, 1, 1])]]);
 * const table = compareScores({ scores, baseline: "bm25", measures: ["P_1"], bootstrap: 100 });
 * const lines = renderComparisonText(table).split("\n");
 * console.assert(lines[0].startsWith("system") && lines[2].startsWith("bm25 (baseline)  0.5000"));
 * console.assert(lines[3].startsWith("ot") && lines[3].includes("1.0000") && lines[5].includes("holm correction"));
 * ```
 */
export function renderComparisonText(t: ComparisonTable): string {
  const c = cells(t, "*");
  const w = c[0].map((_, j) => Math.max(...c.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((x, j) => (j === 0 ? x.padEnd(w[j]) : x.padStart(w[j]))).join("  ");
  return (
    [line(c[0]), w.map((n) => "-".repeat(n)).join("  "), ...c.slice(1).map(line), "", footnote(t)].join(
      "\n",
    ) + "\n"
  );
}

/**
 * The table as a Markdown pipe table (numbers right-aligned), with the footnote below it.
 * @example
 * ```ts
 * import { compareScores, renderComparisonMarkdown } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["P_1", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const scores = new Map([["bm25", perQuery([0, 1, 0, 1])], ["ot", perQuery([1, 1, 1, 1])]]);
 * const table = compareScores({ scores, baseline: "bm25", measures: ["P_1"], bootstrap: 100 });
 * const lines = renderComparisonMarkdown(table).split("\n");
 * console.assert(lines[0] === "| system | P_1 | 95% CI | p | p_adj |");
 * console.assert(lines[1] === "| --- | ---: | ---: | ---: | ---: |" && lines[2].startsWith("| bm25 (baseline) | 0.5000 |"));
 * ```
 */
export function renderComparisonMarkdown(t: ComparisonTable): string {
  const c = cells(t, "\\*");
  const row = (r: string[]) => `| ${r.join(" | ")} |`;
  return (
    [
      row(c[0]),
      `|${c[0].map((_, j) => (j === 0 ? " --- " : " ---: ")).join("|")}|`,
      ...c.slice(1).map(row),
      "",
      footnote(t).replace("*", "\\*"),
    ].join("\n") + "\n"
  );
}

const tex = (s: string) => s.replace(/([_%&#$])/g, "\\$1").replace(/@/g, "@");

/**
 * The table as a LaTeX booktabs `tabular` (mean with its CI, and p_adj, per measure), the footnote as a `%` comment.
 * @example
 * ```ts
 * import { compareScores, renderComparisonLatex } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["P_1", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const scores = new Map([["bm25", perQuery([0, 1, 0, 1])], ["ot", perQuery([1, 1, 1, 1])]]);
 * const table = compareScores({ scores, baseline: "bm25", measures: ["P_1"], bootstrap: 100 });
 * const lines = renderComparisonLatex(table).split("\n");
 * console.assert(lines[0] === "\\begin{tabular}{lrr}" && lines[2] === "System & P\\_1 & $p_{adj}$ \\\\");
 * console.assert(lines[4].startsWith("bm25 (baseline) & 0.5000 ") && lines[lines.length - 2].startsWith("% two-sided paired t-test"));
 * ```
 */
export function renderComparisonLatex(t: ComparisonTable): string {
  const lines = [
    `\\begin{tabular}{l${"r".repeat(t.measures.length * 2)}}`,
    "\\toprule",
    `System & ${t.measures.map((m) => `${tex(m)} & $p_{adj}$`).join(" & ")} \\\\`,
    "\\midrule",
  ];
  for (const s of t.systems) {
    const parts = t.measures.map((m) => {
      const r = t.rows.find((x) => x.system === s && x.measure === m) as ComparisonRow;
      const v = `${f4(r.mean)}${r.significant ? "$^{*}$" : ""} {\\scriptsize[${f4(r.ciLow)}, ${f4(r.ciHigh)}]}`;
      return `${v} & ${fp(r.pAdjusted)}`;
    });
    lines.push(`${tex(s)}${s === t.baseline ? " (baseline)" : ""} & ${parts.join(" & ")} \\\\`);
  }
  lines.push("\\bottomrule", "\\end{tabular}", `% ${footnote(t)}`);
  return lines.join("\n") + "\n";
}

/**
 * The table as indented JSON (the ComparisonTable object itself).
 * @example
 * ```ts
 * import { compareScores, renderComparisonJson } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["P_1", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const scores = new Map([["bm25", perQuery([0, 1, 0, 1])], ["ot", perQuery([1, 1, 1, 1])]]);
 * const table = compareScores({ scores, baseline: "bm25", measures: ["P_1"], bootstrap: 100 });
 * const back = JSON.parse(renderComparisonJson(table));
 * console.assert(back.baseline === "bm25" && back.rows.length === 2 && back.rows.find((r: { system: string }) => r.system === "ot").mean === 1);
 * ```
 */
export function renderComparisonJson(t: ComparisonTable): string {
  return JSON.stringify(t, null, 2) + "\n";
}

export const COMPARISON_RENDERERS: Readonly<Record<string, (t: ComparisonTable) => string>> = {
  text: renderComparisonText,
  markdown: renderComparisonMarkdown,
  latex: renderComparisonLatex,
  json: renderComparisonJson,
};

/**
 * Renders a table in a format named by COMPARISON_RENDERERS (text, markdown, latex, json); an unknown name is a USAGE error.
 * @example
 * ```ts
 * import { compareScores, renderComparison, renderComparisonMarkdown, XlirError } from "xlir";
 * const perQuery = (xs: number[]) => new Map([["P_1", new Map(xs.map((x, i) => [`q${i}`, x]))]]);
 * const scores = new Map([["bm25", perQuery([0, 1, 0, 1])], ["ot", perQuery([1, 1, 1, 1])]]);
 * const table = compareScores({ scores, baseline: "bm25", measures: ["P_1"], bootstrap: 100 });
 * console.assert(renderComparison(table, "markdown") === renderComparisonMarkdown(table));
 * let err: unknown;
 * try {
 *   renderComparison(table, "csv");
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "USAGE");
 * ```
 */
export function renderComparison(t: ComparisonTable, format: string): string {
  const r = COMPARISON_RENDERERS[format];
  if (r === undefined)
    throw new XlirError(
      "USAGE",
      `unknown format '${format}'; known: ${Object.keys(COMPARISON_RENDERERS).join(", ")}`,
    );
  return r(t);
}
