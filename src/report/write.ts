/** writeReport: report.html, report.md and report.json in one folder. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { renderReportHtml } from "./html.js";
import { renderReportMarkdown } from "./markdown.js";
import type { ReportFiles, ReportInput } from "./types.js";

const RESULT_KEYS = [
  "benchmark",
  "language",
  "system",
  "measure",
  "value",
  "ci_low",
  "ci_high",
  "p_vs_baseline",
] as const;

/** Checks the fields the report relies on; throws CONFIG naming the first bad entry. */
export function validateReportInput(input: ReportInput): void {
  const need = [
    "title",
    "createdAt",
    "results",
    "comparisons",
    "systems",
    "languages",
    "benchmarks",
    "seeds",
    "lossCurves",
    "plans",
    "meta",
  ] as const;
  for (const k of need)
    if (input[k] === undefined) throw new XlirError("CONFIG", `report input lacks '${k}'`);
  input.results.forEach((r, i) => {
    for (const k of RESULT_KEYS)
      if (!(k in r)) throw new XlirError("CONFIG", `report input results[${i}] lacks '${k}'`);
  });
  input.plans.forEach((p, i) => {
    if (p.plan.length !== p.rowTokens.length || p.plan.some((row) => row.length !== p.colTokens.length)) {
      throw new XlirError(
        "CONFIG",
        `report input plans[${i}] ('${p.title}'): plan is ${p.plan.length}x${p.plan[0]?.length ?? 0}, tokens ${p.rowTokens.length}x${p.colTokens.length}`,
      );
    }
  });
}

/** The JSON document: the whole input (flat `results` with the required keys) plus a format tag. */
export function reportJson(input: ReportInput): Record<string, unknown> {
  return { format: "xlir-report/1", ...input };
}

/** Writes the three files into outDir (created if needed) and returns their paths. */
export async function writeReport(outDir: string, input: ReportInput): Promise<ReportFiles> {
  validateReportInput(input);
  await mkdir(outDir, { recursive: true });
  const files: ReportFiles = {
    html: join(outDir, "report.html"),
    markdown: join(outDir, "report.md"),
    json: join(outDir, "report.json"),
  };
  await writeFile(files.html, await renderReportHtml(input));
  await writeFile(files.markdown, renderReportMarkdown(input));
  await writeFile(files.json, JSON.stringify(reportJson(input), null, 2) + "\n");
  return files;
}
