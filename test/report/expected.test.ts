/** Committed expected scores (2CR style): `xlir check-run` on a small fabricated report. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { register } from "../../src/cli/commands/check-run.js";
import { XlirError } from "../../src/errors.js";
import { checkReport, parseExpectedScores, reportRows } from "../../src/report/expected.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const row = (system: string, language: string, value: number, seed?: number) => ({
  benchmark: "help",
  language,
  system,
  measure: "RR@10",
  value,
  ci_low: value - 0.02,
  ci_high: value + 0.02,
  p_vs_baseline: null,
  baseline: null,
  significant: null,
  ...(seed === undefined ? {} : { seed }),
});

/** Seed-mean rows plus per-seed rows (which the check must ignore). */
const REPORT = {
  format: "xlir-report/1",
  title: "fabricated",
  results: [
    row("student-ot", "eu", 0.36),
    row("student-ot", "eu", 0.3, 13),
    row("student-ot", "eu", 0.42, 14),
    row("student-contrastive", "eu", 0.381),
    row("student-ot", "km", 0.29),
  ],
};

const EXPECTED = {
  format: "xlir-expected/1",
  command: "./bin/xlir experiment --out runs/default",
  note: "fabricated for the test",
  scores: [
    {
      benchmark: "help",
      language: "eu",
      system: "student-ot",
      measure: "RR@10",
      value: 0.355,
      tolerance: 0.01,
    },
    {
      benchmark: "help",
      language: "eu",
      system: "student-contrastive",
      measure: "RR@10",
      value: 0.38,
      tolerance: 0.001,
    },
    { benchmark: "help", language: "km", system: "student-ot", measure: "RR@10", value: 0.29, tolerance: 0 },
  ],
};

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

async function xlir(...args: string[]): Promise<string> {
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(["node", "xlir", "check-run", ...args]);
  return out;
}

describe("expected scores", () => {
  it("checkReport: within tolerance is ok (seed rows ignored), beyond it differs, absent is missing", () => {
    const rows = reportRows(REPORT, "report.json");
    expect(rows).toHaveLength(3);
    const ok = checkReport(parseExpectedScores(EXPECTED, "e.json"), rows);
    expect(ok.failures).toBe(0);
    expect(ok.checked.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
    expect(ok.checked[0].difference).toBeCloseTo(0.005, 12);

    const bad = structuredClone(EXPECTED);
    bad.scores[1].value = 0.36; // 0.381 - 0.36 = 0.021 > 0.001
    bad.scores.push({
      benchmark: "help",
      language: "hi",
      system: "student-ot",
      measure: "RR@10",
      value: 0.2,
      tolerance: 0.1,
    });
    const r = checkReport(parseExpectedScores(bad, "e.json"), rows);
    expect(r.checked.map((c) => c.status)).toEqual(["ok", "differs", "ok", "missing"]);
    expect(r.failures).toBe(2);
  });

  it("refuses malformed files: unknown keys, negative tolerance, duplicates, not a report", () => {
    expect(() => parseExpectedScores({ ...EXPECTED, extra: 1 }, "e.json")).toThrow(
      /e.json: not an expected-scores file/,
    );
    const neg = structuredClone(EXPECTED);
    neg.scores[0].tolerance = -1;
    expect(() => parseExpectedScores(neg, "e.json")).toThrow(/scores.0.tolerance/);
    const dup = structuredClone(EXPECTED);
    dup.scores.push(dup.scores[0]);
    expect(() => parseExpectedScores(dup, "e.json")).toThrow(
      "e.json: scores[3] repeats scores[0] (help eu student-ot RR@10)",
    );
    expect(() => parseExpectedScores({ ...EXPECTED, scores: [] }, "e.json")).toThrow(XlirError);
    expect(() => reportRows({ results: [] }, "r.json")).toThrow(/r.json: not an xlir report/);
    expect(() =>
      reportRows({ ...REPORT, results: [row("a", "eu", 0.1), row("a", "eu", 0.2)] }, "r.json"),
    ).toThrow("r.json: results[1] repeats help eu a RR@10");
  });

  it("xlir check-run prints the table; differences exit with MISMATCH (5); --init writes a file that checks clean", async () => {
    const report = file("report.json", REPORT);
    const out = await xlir("--report", report, "--expected", file("expected.json", EXPECTED));
    expect(out).toContain("all 3 scores within tolerance");
    expect(out).toMatch(/OK\s+help\s+eu\s+student-ot\s+RR@10\s+0\.3550\s+0\.3600\s+\+0\.0050\s+0\.0100/);

    const bad = structuredClone(EXPECTED);
    bad.scores[2].value = 0.3;
    const badFile = file("bad.json", bad);
    let err: unknown;
    try {
      await xlir("--report", report, "--expected", badFile);
    } catch (e) {
      err = e;
    }
    const printed = (process.stdout.write as unknown as { mock: { calls: unknown[][] } }).mock.calls
      .map((c) => String(c[0]))
      .join("");
    expect(printed).toMatch(
      /DIFFERS\s+help\s+km\s+student-ot\s+RR@10\s+0\.3000\s+0\.2900\s+-0\.0100\s+0\.0000/,
    );
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).exitCode).toBe(5);

    const init = join(dir, "init.json");
    const msg = await xlir(
      "--report",
      report,
      "--init",
      init,
      "--tolerance",
      "0.005",
      "--command",
      "xlir experiment --out x",
    );
    expect(msg).toContain("3 expected scores");
    const written = JSON.parse(readFileSync(init, "utf8"));
    expect(written.scores).toHaveLength(3);
    expect(written.command).toBe("xlir experiment --out x");
    expect(await xlir("--report", report, "--expected", init)).toContain("all 3 scores within tolerance");

    await expect(xlir("--report", report)).rejects.toThrow(/exactly one of --expected FILE/);
    await expect(xlir("--report", join(dir, "nope.json"), "--expected", init)).rejects.toThrow(
      /nope.json: report not found/,
    );
  });
});
