/** Token alignment, the SVG heatmap and the `xlir align` command (tiny-bert fixture, ONNX path). */
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { register } from "../../src/cli/commands/align.js";
import { XlirError } from "../../src/errors.js";
import { alignTokenVectors } from "../../src/ot/index.js";
import { transportPlanSvg } from "../../src/report/plan-svg.js";

describe("alignTokenVectors", () => {
  it("matches each token to its own copy when the English side is a permutation (eps 0.01)", () => {
    const d = 3;
    const x = [1, 0, 0, 0, 1, 0, 0, 0, 1]; // 3 tokens
    const y = [0, 0, 2, 3, 0, 0, 0, 1, 0]; // same directions, permuted and rescaled
    const al = alignTokenVectors(x, y, d, { epsilon: 0.01 });
    expect(Array.from(al.best)).toEqual([1, 2, 0]);
    for (const s of al.bestShare) expect(s).toBeGreaterThan(0.999);
    expect(al.cost).toBeLessThan(1e-12); // 1 - cos = 0 on the matched pairs
    expect(al.costMatrix[0 * 3 + 1]).toBeCloseTo(0, 15);
  });
  it("rejects vectors that are not multiples of d", () => {
    expect(() => alignTokenVectors([1, 2, 3], [1, 2], 2, { epsilon: 0.1 })).toThrow(XlirError);
  });
});

describe("transportPlanSvg", () => {
  it("draws one cell per entry, escapes labels and outlines each row's best cell", () => {
    const svg = transportPlanSvg([0.4, 0.1, 0, 0.5], ["<a>", "b&c"], ["x", "y"], { title: "t" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("&lt;a&gt;");
    expect(svg).toContain("b&amp;c");
    expect(svg.match(/<rect x=/g)?.length).toBe(4 + 2); // 4 cells + 2 best-cell outlines
    expect(svg).toContain("row share 80.0%"); // 0.4 / 0.5
    expect(svg).toContain('fill="rgb(8,48,107)"'); // the maximum (0.5) is darkest
  });
  it("rejects a plan of the wrong size", () => {
    expect(() => transportPlanSvg([1, 2, 3], ["a"], ["b", "c"])).toThrow(/expected 1 x 2 = 2/);
  });
});

describe("xlir align", () => {
  it("prints the plan with a best match per foreign token and writes the SVG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xlir-align-"));
    const svgPath = join(dir, "plan.svg");
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      const program = new Command().exitOverride();
      register(program);
      const fx = "test/fixtures/tiny-bert";
      await program.parseAsync([
        "node",
        "xlir",
        "align",
        "--student",
        fx,
        "--teacher",
        fx,
        "--json",
        "--svg",
        svgPath,
        "the cat sat",
        "the cat sat",
      ]);
    } finally {
      spy.mockRestore();
    }
    const out = JSON.parse(chunks.join("")) as {
      foreignTokens: string[];
      englishTokens: string[];
      rows: { token: string; best: string; plan: number[] }[];
      converged: boolean;
    };
    expect(out.converged).toBe(true);
    expect(out.rows.length).toBe(out.foreignTokens.length);
    for (const r of out.rows) expect(r.plan.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6); // row shares sum to 1
    // identical sentence and model: every token's best match is itself
    out.rows.forEach((r, i) => expect(r.best).toBe(out.englishTokens[i]));
    const svg = readFileSync(svgPath, "utf8");
    expect(svg).toContain("<svg");
    expect(svg.match(/<rect x=/g)?.length).toBe(
      out.foreignTokens.length * out.englishTokens.length + out.foreignTokens.length,
    );
  });
});
