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

export function renderComparisonJson(t: ComparisonTable): string {
  return JSON.stringify(t, null, 2) + "\n";
}

export const COMPARISON_RENDERERS: Readonly<Record<string, (t: ComparisonTable) => string>> = {
  text: renderComparisonText,
  markdown: renderComparisonMarkdown,
  latex: renderComparisonLatex,
  json: renderComparisonJson,
};

export function renderComparison(t: ComparisonTable, format: string): string {
  const r = COMPARISON_RENDERERS[format];
  if (r === undefined)
    throw new XlirError(
      "USAGE",
      `unknown format '${format}'; known: ${Object.keys(COMPARISON_RENDERERS).join(", ")}`,
    );
  return r(t);
}
