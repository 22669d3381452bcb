/** report.md: the same tables as the HTML, without charts. */
import {
  COMPARISON_HEAD,
  RESULT_HEAD,
  SEED_HEAD,
  STAGE_HEAD,
  STUDENT_HEAD,
  comparisonCells,
  isSummaryRow,
  resultCells,
  seedCells,
  stageCells,
  studentCells,
} from "./tables.js";
import type { ReportInput } from "./types.js";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\*/g, "\\*");
function mdTable(head: string[], rows: string[][]): string {
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `|${head.map(() => " --- ").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

export function renderReportMarkdown(input: ReportInput): string {
  const out = [
    `# ${input.title}`,
    "",
    `Created ${input.createdAt}. Systems: ${input.systems.join(", ")}. Languages: ${input.languages.join(", ")}. Benchmarks: ${input.benchmarks.join(", ")}. Seeds: ${input.seeds.join(", ")}.`,
    "",
    "## Results",
    "",
    "Value = mean over queries (students: mean over seeds of the per-seed means, ± their standard deviation); 95% bootstrap CI; raw p against the baseline and p corrected across systems; \\* = significant after correction.",
    "",
    mdTable(RESULT_HEAD, input.results.filter(isSummaryRow).map(resultCells)),
  ];
  if (input.comparisons.length > 0) {
    out.push(
      "",
      "## Pairwise comparisons",
      "",
      "p: paired test on per-query values averaged over seeds; p adj.: corrected across the languages of one benchmark and measure; a verdict names a winner only when p adj. < 0.05 and every seed's difference has the same sign.",
      "",
      mdTable(COMPARISON_HEAD, input.comparisons.map(comparisonCells)),
    );
  }
  const perSeed = input.results.filter((r) => !isSummaryRow(r));
  if (perSeed.length > 0) out.push("", "## Per seed", "", mdTable(SEED_HEAD, perSeed.map(seedCells)));
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
  if (input.students && input.students.length > 0)
    out.push("", "## Students", "", mdTable(STUDENT_HEAD, input.students.map(studentCells)));
  if (input.stages && input.stages.length > 0)
    out.push("", "## Stage timings", "", mdTable(STAGE_HEAD, input.stages.map(stageCells)));
  return out.join("\n") + "\n";
}
