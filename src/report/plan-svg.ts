/** A transport plan drawn as an SVG heatmap (rows = foreign tokens, columns = English tokens). */
import { XlirError } from "../errors.js";

function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export interface PlanSvgOptions {
  /** Title drawn above the plot. */
  title?: string;
  /** Cell side in pixels. Default 22. */
  cell?: number;
}

/**
 * Heatmap of a row-major plan [m, n]: cell (i, j) shaded by P_ij / max P (white -> dark blue),
 * each row's largest entry outlined, row labels = rowTokens (left), column labels = colTokens
 * (top, rotated); a <title> tooltip on each cell gives P_ij and the row share P_ij / sum_j P_ij.
 * Pure function: returns the SVG document as a string.
 * @example
 * ```ts
 * import { transportPlanSvg, XlirError } from "xlir";
 * const svg = transportPlanSvg([0.4, 0.1, 0.0, 0.5], ["etxe", "<b>"], ["house", "the"], { title: "plan" });
 * // one shaded cell per entry, each row's largest outlined, token text escaped
 * console.assert(svg.match(/stroke="#ddd"/g)?.length === 4 && svg.match(/stroke="#d62728"/g)?.length === 2);
 * console.assert(svg.includes("&lt;b&gt;") && !svg.includes("<b>"));
 * try {
 *   transportPlanSvg([1, 2, 3], ["a", "b"], ["c", "d"]);
 *   console.assert(false, "a plan of the wrong size was drawn");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "BAD_INPUT");
 * }
 * ```
 */
export function transportPlanSvg(
  plan: ArrayLike<number>,
  rowTokens: readonly string[],
  colTokens: readonly string[],
  options: PlanSvgOptions = {},
): string {
  const m = rowTokens.length;
  const n = colTokens.length;
  if (plan.length !== m * n)
    throw new XlirError(
      "BAD_INPUT",
      `transportPlanSvg: plan has ${plan.length} entries; expected ${m} x ${n} = ${m * n}`,
    );
  const cell = options.cell ?? 22;
  const charW = 7;
  const left = 12 + charW * Math.max(4, ...rowTokens.map((t) => t.length));
  const top = (options.title ? 28 : 8) + charW * Math.max(4, ...colTokens.map((t) => t.length));
  const width = Math.max(left + n * cell + 12, options.title ? left + 8 * options.title.length : 0);
  const height = top + m * cell + 12;
  let max = 0;
  for (let k = 0; k < plan.length; k++) max = Math.max(max, plan[k]);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (options.title) parts.push(`<text x="${left}" y="18" font-size="14">${escapeXml(options.title)}</text>`);
  for (let j = 0; j < n; j++) {
    const x = left + j * cell + cell / 2 + 4;
    parts.push(`<text transform="translate(${x},${top - 6}) rotate(-90)">${escapeXml(colTokens[j])}</text>`);
  }
  for (let i = 0; i < m; i++) {
    const y = top + i * cell;
    parts.push(
      `<text x="${left - 6}" y="${y + cell / 2 + 4}" text-anchor="end">${escapeXml(rowTokens[i])}</text>`,
    );
    let rowSum = 0;
    let best = 0;
    for (let j = 0; j < n; j++) {
      rowSum += plan[i * n + j];
      if (plan[i * n + j] > plan[i * n + best]) best = j;
    }
    for (let j = 0; j < n; j++) {
      const v = plan[i * n + j];
      const t = max > 0 ? v / max : 0;
      const r = Math.round(255 - t * 247);
      const g = Math.round(255 - t * 207);
      const b = Math.round(255 - t * 148);
      const share = rowSum > 0 ? v / rowSum : 0;
      parts.push(
        `<rect x="${left + j * cell}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ddd"><title>${escapeXml(rowTokens[i])} -&gt; ${escapeXml(colTokens[j])}: P=${v.toExponential(3)}, row share ${(share * 100).toFixed(1)}%</title></rect>`,
      );
    }
    if (n > 0)
      parts.push(
        `<rect x="${left + best * cell + 1}" y="${y + 1}" width="${cell - 2}" height="${cell - 2}" fill="none" stroke="#d62728" stroke-width="2"/>`,
      );
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
