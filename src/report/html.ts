/** report.html: one self-contained file (inline CSS and SVG, no script, no network). */
import { lossCurveSpec, renderVegaLite, resultsBarSpec, stagesSpec } from "./charts.js";
import { planSvgs } from "./plans.js";
import { isSummaryRow, reportTables, type ReportTable } from "./tables.js";
import type { ReportInput } from "./types.js";

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function table({ head, rows }: ReportTable): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{max-width:100%;overflow-x:auto}.chart svg{height:auto}.meta{color:#666;font-size:.85em}`;

/**
 * Builds the HTML text.
 * @example
 * ```ts
 * import { renderReportHtml } from "xlir";
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
 * const html = await renderReportHtml(input);
 * console.assert(html.startsWith("<!DOCTYPE html>") && html.includes("<title>Toy &lt;run&gt;</title>"));
 * // one bar chart (help: RR@10) inline as SVG, no script
 * console.assert(html.match(/<svg/g)?.length === 1 && !html.includes("<script"));
 * ```
 */
export async function renderReportHtml(input: ReportInput): Promise<string> {
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(input.title)}</h1>`);
  parts.push(
    `<p class="meta">created ${escapeHtml(input.createdAt)} · systems: ${escapeHtml(input.systems.join(", "))} · languages: ${escapeHtml(input.languages.join(", "))} · benchmarks: ${escapeHtml(input.benchmarks.join(", "))} · seeds: ${escapeHtml(input.seeds.join(", "))}</p>`,
  );

  parts.push(
    `<h2>Results by language</h2><p class="meta">bars: mean; black rules: 95% bootstrap confidence interval; * = significantly different from the baseline after correction.</p><div class="charts">`,
  );
  for (const benchmark of input.benchmarks) {
    const measures = [
      ...new Set(input.results.filter((r) => r.benchmark === benchmark).map((r) => r.measure)),
    ];
    for (const measure of measures) {
      const rows = input.results.filter(
        (r) => r.benchmark === benchmark && r.measure === measure && isSummaryRow(r),
      );
      if (rows.length === 0) continue;
      // only this benchmark's languages and systems, so that no empty slots shrink the chart
      const languages = input.languages.filter((l) => rows.some((r) => r.language === l));
      const systems = input.systems.filter((s) => rows.some((r) => r.system === s));
      const svg = await renderVegaLite(resultsBarSpec(`${benchmark}: ${measure}`, rows, systems, languages));
      parts.push(`<div class="chart">${svg}</div>`);
    }
  }
  parts.push(`</div>`);
  const tables = reportTables(input);
  parts.push(`<h2>Results table</h2>${table(tables.results)}`);
  if (tables.comparisons) {
    parts.push(
      `<h2>Pairwise comparisons (OT vs contrastive)</h2><p class="meta">p: paired test on per-query values averaged over seeds; p adj.: corrected across the languages of one benchmark and measure; a verdict names a winner only when p adj. &lt; 0.05 and every seed's difference has the same sign.</p>${table(tables.comparisons)}`,
    );
  }
  if (tables.perSeed) parts.push(`<h2>Per seed</h2>${table(tables.perSeed)}`);
  if (input.lossCurves.length > 0)
    parts.push(
      `<h2>Training loss</h2><div class="chart">${await renderVegaLite(lossCurveSpec(input.lossCurves))}</div>`,
    );
  if (input.plans.length > 0) {
    const svgs = await planSvgs(input.plans);
    parts.push(
      `<h2>Transport plans</h2><div class="charts">${svgs.map((s) => `<div class="chart">${s}</div>`).join("\n")}</div>`,
    );
  }
  if (tables.students) {
    parts.push(
      `<h2>Students</h2><p class="meta">settings each loss trained with (chosen on dev by <code>xlir tune</code> when a tuning file is given) and the mean of its statistics over training, Sinkhorn convergence included.</p>${table(tables.students)}`,
    );
  }
  if (input.stages && tables.stages) {
    parts.push(
      `<h2>Stage timings</h2><div class="chart">${await renderVegaLite(stagesSpec(input.stages))}</div>${table(tables.stages)}`,
    );
  }
  parts.push(`<h2>Run metadata</h2><pre>${escapeHtml(JSON.stringify(input.meta, null, 2))}</pre>`);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title><style>${CSS}</style></head><body>\n${parts.join("\n")}\n</body></html>\n`;
}
