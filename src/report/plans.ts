/** Transport-plan heatmaps: helper H3's `transportPlanSvg` (src/ot/plan-svg.ts) when present, else a Vega-Lite heatmap. */
import { planHeatmapSpec, renderVegaLite } from "./charts.js";
import type { ReportPlan } from "./types.js";

type PlanSvg = (...args: unknown[]) => unknown;

async function externalPlanSvg(): Promise<PlanSvg | undefined> {
  const path = "../ot/plan-svg.js"; // resolved at run time: the module is optional
  try {
    const m = (await import(path)) as { transportPlanSvg?: unknown };
    return typeof m.transportPlanSvg === "function" ? (m.transportPlanSvg as PlanSvg) : undefined;
  } catch {
    return undefined;
  }
}

/** One SVG string per plan. */
export async function planSvgs(plans: ReportPlan[]): Promise<string[]> {
  const ext = await externalPlanSvg();
  const out: string[] = [];
  for (const p of plans) {
    let svg: string | undefined;
    if (ext) {
      try {
        const r = ext({ plan: p.plan, rowTokens: p.rowTokens, colTokens: p.colTokens, title: p.title });
        if (typeof r === "string" && r.trimStart().startsWith("<svg")) svg = r;
      } catch {
        svg = undefined;
      }
    }
    out.push(svg ?? (await renderVegaLite(planHeatmapSpec(p))));
  }
  return out;
}
