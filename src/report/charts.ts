/**
 * Charts as SVG strings: Vega-Lite specs compiled to Vega and rendered headless in Node
 * (`new vega.View(...).toSVG()`), so the HTML needs no script and no network.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ReportLossCurve, ReportResult, ReportStage } from "./types.js";

/**
 * Renders a Vega-Lite spec to an SVG string.
 * @example
 * ```ts
 * import { renderVegaLite } from "xlir";
 * const svg = await renderVegaLite({
 *   data: { values: [{ system: "bm25", value: 0.2 }, { system: "ot", value: 0.4 }] },
 *   mark: "bar",
 *   encoding: { x: { field: "system", type: "nominal" }, y: { field: "value", type: "quantitative" } },
 * });
 * // one <path> per bar, no script
 * console.assert(svg.startsWith("<svg") && svg.match(/aria-roledescription="bar"/g)?.length === 2);
 * console.assert(!svg.includes("<script"));
 * ```
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Grouped bars for one (benchmark, measure): x = language, one bar per system, a rule for the 95% CI,
 * and `*` above systems significantly different from the baseline.
 */
export function resultsBarSpec(
  title: string,
  rows: ReportResult[],
  systems: string[],
  languages: string[],
): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, mark: r.significant ? "*" : "" }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: { step: 12 }, // with xOffset the step is one bar: width = 12 px x systems x languages
    height: 220,
    data: { values },
    encoding: {
      x: {
        field: "language",
        type: "nominal",
        title: "language",
        sort: languages,
        axis: { labelAngle: 0, labelFontSize: 12 },
      },
      xOffset: { field: "system", type: "nominal", sort: systems },
      color: {
        field: "system",
        type: "nominal",
        sort: systems,
        scale: { scheme: "tableau20" },
        legend: { orient: "bottom", columns: 3 },
      },
    },
    layer: [
      {
        mark: { type: "bar" },
        encoding: { y: { field: "value", type: "quantitative", title: rows[0]?.measure ?? "value" } },
      },
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          y: { field: "ci_low", type: "quantitative" },
          y2: { field: "ci_high" },
          color: { value: "black" },
        },
      },
      {
        mark: { type: "text", dy: -8, fontSize: 16, fontWeight: "bold" },
        encoding: {
          y: { field: "ci_high", type: "quantitative" },
          text: { field: "mark" },
          color: { value: "black" },
        },
      },
    ],
  } as TopLevelSpec;
}

export function lossCurveSpec(curves: ReportLossCurve[]): TopLevelSpec {
  const values = curves.flatMap((c) => c.points.map((p) => ({ name: c.name, step: p.step, loss: p.loss })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "training loss",
    width: 520,
    height: 240,
    data: { values },
    mark: { type: "line", point: values.length < 80 },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "loss", type: "quantitative" },
      color: { field: "name", type: "nominal", legend: { orient: "bottom" } },
    },
  } as TopLevelSpec;
}

export function stagesSpec(stages: ReportStage[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "stage timings",
    width: 420,
    height: { step: 18 },
    data: { values: stages.map((s) => ({ ...s, status: s.cached ? "cached" : "computed" })) },
    mark: "bar",
    encoding: {
      y: { field: "name", type: "nominal", sort: null, title: null },
      x: { field: "seconds", type: "quantitative" },
      color: {
        field: "status",
        type: "nominal",
        scale: { domain: ["computed", "cached"], range: ["#4c78a8", "#bbbbbb"] },
      },
    },
  } as TopLevelSpec;
}
