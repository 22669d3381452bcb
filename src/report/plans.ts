/** Transport-plan heatmaps drawn by `transportPlanSvg` (./plan-svg.ts). */
import { transportPlanSvg } from "./plan-svg.js";
import type { ReportPlan } from "./types.js";

/** One SVG string per plan; plan [m][n] flattened row-major for transportPlanSvg. */
export async function planSvgs(plans: ReportPlan[]): Promise<string[]> {
  return plans.map((p) =>
    transportPlanSvg(Float64Array.from(p.plan.flat()), p.rowTokens, p.colTokens, { title: p.title }),
  );
}
