/** report.md: the same tables as the HTML, without charts. */
import { reportTables, type ReportTable } from "./tables.js";
import type { ReportInput } from "./types.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\*/g, "\\*");
function mdTable({ head, rows }: ReportTable): string {
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `|${head.map(() => " --- ").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/**
 * Builds report.md: the tables of the HTML report as Markdown tables, without charts.
 * @example
 * ```ts
 * import { renderReportMarkdown } from "xlir";
 * const input = {
 *   title: "Toy <run>",
 *   createdAt: "2026-01-01T00:00:00Z",
 *   results: [
 *     { benchmark: "help", language: "eu", system: "bm25", measure: "RR@10", value: 0.2, ci_low: 0.1, ci_high: 0.3, p_vs_baseline: null, baseline: null, significant: null },
 *     { benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.4, ci_low: 0.3, ci_high: 0.5, p_vs_baseline: 0.01, baseline: "bm25", significant: true },
 *   ],
 *   comparisons: [],
 *   systems: ["bm25", "ot"],
 *   languages: ["eu"],
 *   benchmarks: ["help"],
 *   seeds: [13],
 *   lossCurves: [],
 *   plans: [],
 *   meta: {},
 * };
 * const md = renderReportMarkdown(input);
 * console.assert(md.startsWith("# Toy <run>\n"));
 * console.assert(md.includes("| help | eu | ot | RR@10 | 0.4000 | [0.3000, 0.5000] | 0.0100 | - | bm25 | \\* |"));
 * ```
 */
export function renderReportMarkdown(input: ReportInput): string {
  const tables = reportTables(input);
  const out = [
    `# ${input.title}`,
    "",
    `Created ${input.createdAt}. Systems: ${input.systems.join(", ")}. Languages: ${input.languages.join(", ")}. Benchmarks: ${input.benchmarks.join(", ")}. Seeds: ${input.seeds.join(", ")}.${typeof input.meta.profile === "string" ? ` Profile: ${input.meta.profile}.` : ""}`,
    "",
    "## Results",
    "",
    "Value = mean over queries (students: mean over seeds of the per-seed means, ± their standard deviation); 95% bootstrap CI; raw p against the baseline and p corrected across systems; \\* = significant after correction.",
    "",
    mdTable(tables.results),
  ];
  if (tables.comparisons) {
    out.push(
      "",
      "## Pairwise comparisons",
      "",
      "p: paired test on per-query values averaged over seeds; p adj.: corrected across the languages of one benchmark and measure; a verdict names a winner only when p adj. < 0.05 and every seed's difference has the same sign.",
      "",
      mdTable(tables.comparisons),
    );
  }
  if (tables.perSeed) out.push("", "## Per seed", "", mdTable(tables.perSeed));
  if (input.lossCurves.length > 0) {
    out.push("", "## Training loss (first → last)", "");
    for (const c of input.lossCurves) {
      const a = c.points[0];
      const b = c.points[c.points.length - 1];
      out.push(
        `- ${c.name}: ${a ? `${a.loss.toFixed(4)} (step ${a.step})` : "-"} → ${b ? `${b.loss.toFixed(4)} (step ${b.step})` : "-"}`,
      );
    }
  }
  if (input.plans.length > 0)
    out.push(
      "",
      `## Transport plans`,
      "",
      `${input.plans.length} heatmap(s) in report.html: ${input.plans.map((p) => p.title).join("; ")}.`,
    );
  if (tables.students) out.push("", "## Students", "", mdTable(tables.students));
  if (tables.stages) out.push("", "## Stage timings", "", mdTable(tables.stages));
  return out.join("\n") + "\n";
}
