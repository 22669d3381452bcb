/**
 * The report: three files, JSON with the flat results list, HTML self-contained (no external
 * resource), and rendered by headless Chromium into artifacts/report-screenshot.png (skipped with a
 * reason only when no chromium binary is installed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { renderReportHtml } from "../../src/report/html.js";
import { renderReportMarkdown } from "../../src/report/markdown.js";
import { writeReport } from "../../src/report/write.js";
import type { ReportInput } from "../../src/report/types.js";

function sampleInput(): ReportInput {
  const systems = ["bm25", "teacher-zero-shot", "contrastive", "ot"];
  const languages = ["eu", "sw", "so"];
  const results: ReportInput["results"] = [];
  const base: Record<string, number> = { bm25: 0.2, "teacher-zero-shot": 0.12, contrastive: 0.3, ot: 0.36 };
  for (const benchmark of ["udhr-clir"]) {
    for (const language of languages) {
      for (const measure of ["nDCG@10", "RR@10"]) {
        systems.forEach((system, i) => {
          const value = base[system] + 0.03 * languages.indexOf(language) + (measure === "RR@10" ? 0.05 : 0);
          const isBase = system === "contrastive";
          results.push({
            benchmark,
            language,
            system,
            measure,
            value,
            ci_low: value - 0.04,
            ci_high: value + 0.04,
            p_vs_baseline: isBase ? null : 0.001 * (i + 1) * (language === "so" ? 100 : 1),
            baseline: "contrastive",
            significant: isBase ? null : language !== "so",
          });
        });
      }
    }
  }
  const comparisons = languages.map((language) => ({
    benchmark: "udhr-clir",
    language,
    measure: "nDCG@10",
    systemA: "ot",
    systemB: "contrastive",
    meanA: 0.36,
    meanB: 0.3,
    p: 0.004,
    pAdjusted: 0.012,
    test: "randomization",
    correction: "holm",
  }));
  const lossCurves = ["ot", "contrastive"].map((name, k) => ({
    name,
    points: Array.from({ length: 30 }, (_, s) => ({
      step: s * 10,
      loss: (1.5 - 0.3 * k) * Math.exp(-s / 10) + 0.2,
    })),
  }));
  const rowTokens = ["▁ku", "rik", "ula", "mu"];
  const colTokens = ["▁every", "▁person", "▁has", "▁rights", "."];
  const plan = rowTokens.map((_, i) => colTokens.map((_, j) => (i === Math.min(j, 3) ? 0.15 : 0.01)));
  return {
    title: "xlir: OT vs contrastive distillation <test>",
    createdAt: "2026-11-25T17:00:00Z",
    results,
    comparisons,
    systems,
    languages,
    benchmarks: ["udhr-clir"],
    seeds: [1, 2, 3],
    lossCurves,
    plans: [{ title: "eu query vs English translation", rowTokens, colTokens, plan }],
    stages: [
      { name: "index", seconds: 12.5, cached: true },
      { name: "train-ot", seconds: 80.2, cached: false },
      { name: "evaluate", seconds: 1.1, cached: false },
    ],
    meta: { encoder: "tiny-bert", hash: "abc123" },
  };
}

function findChromium(): string | undefined {
  for (const c of ["chromium", "chromium-browser", "google-chrome"]) {
    const r = spawnSync("which", [c], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

describe("writeReport", () => {
  const dir = mkdtempSync(join(tmpdir(), "xlir-report-"));
  it("writes html, md and json with the required JSON keys", async () => {
    const files = await writeReport(dir, sampleInput());
    const json = JSON.parse(readFileSync(files.json, "utf8")) as Record<string, unknown>;
    const results = json.results as Array<Record<string, unknown>>;
    expect(results.length).toBe(24);
    for (const r of results)
      for (const k of [
        "benchmark",
        "language",
        "system",
        "measure",
        "value",
        "ci_low",
        "ci_high",
        "p_vs_baseline",
      ])
        expect(r).toHaveProperty(k);
    expect(json.systems).toEqual(["bm25", "teacher-zero-shot", "contrastive", "ot"]);
    expect(json.languages).toEqual(["eu", "sw", "so"]);
    expect(json.seeds).toEqual([1, 2, 3]);
    const md = readFileSync(files.markdown, "utf8");
    expect(md).toContain("| udhr-clir | eu | ot | nDCG@10 | 0.3600 |");
    expect(md).toContain("## Stage timings");
  });
  it("HTML is self-contained: inline SVG charts, no script, no external resource, escaped text", () => {
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5); // 2 result charts + loss + plan + stages
    expect(html).not.toMatch(/<script|<link|src="http|href="http|url\(http/i);
    expect(html).toContain("&lt;test&gt;");
    expect(html).toContain("eu query vs English translation");
    expect(html).toContain("train-ot");
  });
  it("rejects a plan whose shape disagrees with its tokens", async () => {
    const bad = sampleInput();
    bad.plans[0].plan.pop();
    await expect(writeReport(dir, bad)).rejects.toThrow(XlirError);
  });
  const chromium = findChromium();
  it.skipIf(chromium === undefined)(
    "renders in headless Chromium (screenshot kept in artifacts/report-screenshot.png)",
    () => {
      const shot = resolve(import.meta.dirname, "../../artifacts/report-screenshot.png");
      mkdirSync(resolve(shot, ".."), { recursive: true });
      rmSync(shot, { force: true });
      const profile = mkdtempSync(join(tmpdir(), "xlir-chromium-"));
      const r = spawnSync(
        chromium as string,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
          "--disable-sync",
          `--user-data-dir=${profile}`,
          `--screenshot=${shot}`,
          "--window-size=1200,2000",
          `file://${join(dir, "report.html")}`,
        ],
        { encoding: "utf8", timeout: 90_000 },
      );
      expect(r.error, String(r.stderr)).toBeUndefined();
      expect(existsSync(shot), r.stderr).toBe(true);
      expect(statSync(shot).size).toBeGreaterThan(20_000); // a blank 1200x2000 PNG is a few kB
      rmSync(profile, { recursive: true, force: true });
    },
  );
  if (chromium === undefined)
    it.skip("headless Chromium check skipped: no chromium binary (Debian package `chromium`)", () => {});
});

describe("the tables of report.md and report.html", () => {
  const sections: Array<[string, string]> = [
    ["## Pairwise comparisons", "<h2>Pairwise comparisons"],
    ["## Per seed", "<h2>Per seed</h2>"],
    ["## Students", "<h2>Students</h2>"],
    ["## Stage timings", "<h2>Stage timings</h2>"],
  ];

  it("both show each table when the input has rows for it, with the same cells", async () => {
    const input = sampleInput();
    input.results.push({ ...input.results[3], seed: 2, value: 0.3125, ci_low: null, ci_high: null });
    input.students = [
      { loss: "ot", seed: 2, settings: { epsilon: 0.02 }, training: { "ot.meanIterations": 41.5 } },
    ];
    const md = renderReportMarkdown(input);
    const html = await renderReportHtml(input);
    for (const [m, h] of sections) {
      expect(md).toContain(m);
      expect(html).toContain(h);
    }
    expect(md).toContain("| udhr-clir | eu | ot | nDCG@10 | 2 | 0.3125 |");
    expect(html).toContain(
      "<td>udhr-clir</td><td>eu</td><td>ot</td><td>nDCG@10</td><td>2</td><td>0.3125</td>",
    );
    expect(md).toContain("| ot | 2 | epsilon 0.02 | 41.5 | - | - |");
    expect(html).toContain("<td>ot</td><td>2</td><td>epsilon 0.02</td><td>41.5</td><td>-</td><td>-</td>");
  });

  it("neither shows a table the input has no rows for; the results table is always there", async () => {
    const input = { ...sampleInput(), comparisons: [], stages: [], students: undefined };
    const md = renderReportMarkdown(input);
    const html = await renderReportHtml(input);
    for (const [m, h] of sections) {
      expect(md).not.toContain(m);
      expect(html).not.toContain(h);
    }
    expect(md).toContain("## Results");
    expect(html).toContain("<h2>Results table</h2>");
  });
});

describe("report rows from a comparison table", () => {
  it("copies means, CIs, corrected p-values and the baseline", async () => {
    const { compareScores } = await import("../../src/eval/compare.js");
    const { reportResultsFromTable, reportComparisonsFromTable } =
      await import("../../src/report/from-comparison.js");
    const q = (vals: number[]) => new Map([["nDCG@10", new Map(vals.map((v, i) => [`q${i}`, v]))]]);
    const t = compareScores({
      scores: new Map([
        ["contrastive", q([0.1, 0.2, 0.3, 0.4])],
        ["ot", q([0.3, 0.4, 0.5, 0.6])],
      ]),
      baseline: "contrastive",
      measures: ["nDCG@10"],
      bootstrap: 200,
    });
    const rows = reportResultsFromTable(t, "udhr", "eu");
    expect(rows.map((r) => [r.system, r.baseline])).toEqual([
      ["contrastive", "contrastive"],
      ["ot", "contrastive"],
    ]);
    expect(rows[0].value).toBeCloseTo(0.25, 12);
    expect(rows[1].value).toBeCloseTo(0.45, 12);
    expect(rows[1].p_vs_baseline).toBe(t.rows[1].pAdjusted);
    const c = reportComparisonsFromTable(t, "udhr", "eu", "ot");
    expect(c[0]).toMatchObject({ systemA: "ot", systemB: "contrastive", test: "t", correction: "holm" });
    expect(c[0].meanA - c[0].meanB).toBeCloseTo(0.2, 12);
  });
});
