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

/**
 * Checks the fields the report relies on; throws CONFIG naming the first bad entry.
 * @example
 * ```ts
 * import { validateReportInput, XlirError, type ReportInput } from "xlir";
 * const input = {
 *   title: "t", createdAt: "2026-01-01", results: [], comparisons: [], systems: [], languages: [],
 *   benchmarks: [], seeds: [], lossCurves: [], meta: {},
 *   plans: [{ title: "p", rowTokens: ["a", "b"], colTokens: ["c"], plan: [[1]] }], // 1 row for 2 tokens
 * } as ReportInput;
 * try {
 *   validateReportInput(input);
 *   console.assert(false, "a plan of the wrong shape was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "CONFIG" && e.message.includes("plans[0]"));
 * }
 * validateReportInput({ ...input, plans: [] }); // accepted
 * ```
 */
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

/**
 * The JSON document: the whole input (flat `results` with the required keys) plus a format tag.
 * @example
 * ```ts
 * import { reportJson, reportRows } from "xlir";
 * const input = {
 *   title: "Toy run",
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
 * const doc = reportJson(input);
 * console.assert(doc.format === "xlir-report/1" && doc.title === "Toy run");
 * // what `xlir check` reads back from it
 * console.assert(reportRows(JSON.parse(JSON.stringify(doc)), "report.json").length === 2);
 * ```
 */
export function reportJson(input: ReportInput): Record<string, unknown> {
  return { format: "xlir-report/1", ...input };
}

/**
 * Writes the three files into outDir (created if needed) and returns their paths.
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readReportRows, writeReport } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const input = {
 *   title: "Toy run",
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
 * const files = await writeReport(join(dir, "report"), input);
 * console.assert((await readReportRows(files.json)).find((r) => r.system === "ot")?.value === 0.4);
 * console.assert(readFileSync(files.markdown, "utf8").startsWith("# Toy run"));
 * console.assert(readFileSync(files.html, "utf8").includes("<h1>Toy run</h1>"));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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
