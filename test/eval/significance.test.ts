/**
 * Significance: t-test p-values equal scipy.stats.ttest_rel (golden, tolerance 1e-6 absolute; t within
 * 1e-9 relative); randomisation p-values within Monte-Carlo error of the exact enumeration; corrections
 * and bootstrap by hand arithmetic and invariants.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareScores, compareSystems } from "../../src/eval/compare.js";
import { renderComparison } from "../../src/eval/compare-render.js";
import { parseQrels } from "../../src/eval/qrels.js";
import { parseRun } from "../../src/eval/run.js";
import { bootstrapCI } from "../../src/eval/significance/bootstrap.js";
import { bonferroni, correct, holm } from "../../src/eval/significance/corrections.js";
import { pairedRandomization } from "../../src/eval/significance/randomization.js";
import { pairedTTest } from "../../src/eval/significance/ttest.js";

interface Case {
  name: string;
  a: number[];
  b: number[];
  t: number;
  p: number;
  p_randomization_exact?: number;
}
const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, "../golden/eval/significance.json"), "utf8"),
) as { scipy: string; cases: Case[] };

describe(`paired t-test vs scipy ${golden.scipy} ttest_rel`, () => {
  for (const c of golden.cases) {
    it(`${c.name} (n=${c.a.length}): p within 1e-6`, () => {
      const r = pairedTTest(c.a, c.b);
      expect(Math.abs(r.p - c.p)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(r.statistic - c.t)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(c.t)));
    });
  }
  it("identical systems give p = 1", () => expect(pairedTTest([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]).p).toBe(1));
});

describe("paired randomisation test", () => {
  for (const c of golden.cases.filter((x) => x.p_randomization_exact !== undefined)) {
    it(`${c.name}: within Monte-Carlo error of the exact p (10,000 permutations)`, () => {
      const P = 10000;
      const r = pairedRandomization(c.a, c.b, { permutations: P, seed: 1 });
      const pe = c.p_randomization_exact as number;
      // 4 standard errors of a binomial proportion + the (hits+1)/(P+1) offset
      expect(Math.abs(r.p - pe)).toBeLessThanOrEqual(4 * Math.sqrt((pe * (1 - pe)) / P) + 2 / (P + 1));
    });
  }
  it("is reproducible with a seed and p = (hits + 1) / (P + 1) > 0", () => {
    const c = golden.cases[2];
    const r1 = pairedRandomization(c.a, c.b, { permutations: 999, seed: 5 });
    const r2 = pairedRandomization(c.a, c.b, { permutations: 999, seed: 5 });
    expect(r1.p).toBe(r2.p);
    expect(
      Number.isInteger(r1.p * 1000 - 1 + 1e-9) || Math.abs(r1.p * 1000 - Math.round(r1.p * 1000)) < 1e-9,
    ).toBe(true);
    expect(r1.p).toBeGreaterThanOrEqual(1 / 1000);
  });
});

describe("corrections (hand arithmetic)", () => {
  const p = [0.01, 0.04, 0.03, 0.005];
  it("Bonferroni: m * p capped at 1", () => {
    expect(bonferroni(p)).toEqual([0.04, 0.16, 0.12, 0.02]);
    expect(bonferroni([0.3, 0.5])).toEqual([0.6, 1]);
  });
  it("Holm: sorted 0.005, 0.01, 0.03, 0.04 -> 4*0.005, 3*0.01, max(.., 2*0.03), max(.., 1*0.04), back in input order", () => {
    const h = holm(p);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 15));
  });
  it("Holm is monotone in sorted order and never above Bonferroni", () => {
    const h = holm([0.2, 0.001, 0.04, 0.5, 0.02]);
    const b = bonferroni([0.2, 0.001, 0.04, 0.5, 0.02]);
    h.forEach((v, i) => expect(v).toBeLessThanOrEqual(b[i]));
    // sorted 0.001*5, 0.02*4, 0.04*3, 0.2*2, 0.5*1 (running max does not bind)
    [0.4, 0.005, 0.12, 0.5, 0.08].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 15));
  });
  it("unknown correction lists the known ones", () =>
    expect(() => correct("sidak", [0.1])).toThrow(/holm, bonferroni, none/));
});

describe("bootstrap CI", () => {
  it("contains the mean, is seeded, and is degenerate for constant data", () => {
    const v = golden.cases[3].a;
    const ci = bootstrapCI(v, { seed: 3 });
    expect(ci.low).toBeLessThan(ci.mean);
    expect(ci.high).toBeGreaterThan(ci.mean);
    expect(bootstrapCI(v, { seed: 3 })).toEqual(ci);
    // normal approximation: half-width ~ 1.96 * sd / sqrt(n); agree within 15%
    const m = ci.mean;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
    expect(Math.abs((ci.high - ci.low) / 2 - (1.96 * sd) / Math.sqrt(v.length))).toBeLessThan(
      0.15 * ((1.96 * sd) / Math.sqrt(v.length)),
    );
    expect(bootstrapCI([0.5, 0.5, 0.5], { seed: 1, samples: 100 })).toEqual({
      mean: 0.5,
      low: 0.5,
      high: 0.5,
    });
  });
});

describe("compareSystems", () => {
  const qrels = parseQrels(Array.from({ length: 20 }, (_, q) => `q${q} 0 rel${q} 1\n`).join(""));
  const mk = (rankOfRel: (q: number) => number) =>
    parseRun(
      Array.from({ length: 20 }, (_, q) =>
        Array.from(
          { length: 10 },
          (_, i) => `q${q} Q0 ${i === rankOfRel(q) ? `rel${q}` : `n${q}-${i}`} ${i + 1} ${10 - i} r\n`,
        ).join(""),
      ).join(""),
    );
  const runs = new Map([
    ["base", mk((q) => 5 + (q % 3))],
    ["good", mk(() => 0)],
    ["same", mk((q) => 5 + (q % 3))],
  ]);
  it("marks a large improvement significant, a copy not, with Holm over the two comparisons", () => {
    const t = compareSystems({
      qrels,
      runs,
      baseline: "base",
      measures: ["RR@10", "map"],
      test: "randomization",
      permutations: 2000,
      bootstrap: 500,
      seed: 9,
    });
    const good = t.rows.find((r) => r.system === "good" && r.measure === "RR@10")!;
    const same = t.rows.find((r) => r.system === "same" && r.measure === "RR@10")!;
    expect(good.mean).toBe(1);
    expect(good.significant).toBe(true);
    expect(good.p).toBeCloseTo(1 / 2001, 12); // every sign flip gives a smaller |mean|
    expect(good.pAdjusted).toBeCloseTo(2 / 2001, 12); // Holm, smallest of 2 p-values: 2p
    expect(same.p).toBe(1);
    expect(same.significant).toBe(false);
    expect(t.rows.find((r) => r.system === "base")!.p).toBeNull();
    expect(good.n).toBe(20);
    for (const f of ["text", "markdown", "latex", "json"]) expect(renderComparison(t, f)).toContain("good");
    expect(renderComparison(t, "latex")).toContain("\\toprule");
    expect(() => renderComparison(t, "html")).toThrow(/text, markdown, latex, json/);
  });
  it("compareScores rejects an unknown baseline", () => {
    expect(() => compareScores({ scores: new Map(), baseline: "x", measures: [] })).toThrow(/baseline 'x'/);
  });
});
