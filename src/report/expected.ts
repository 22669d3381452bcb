/**
 * Committed expected scores, in the manner of pyserini's two-click reproductions (2CR): a file
 * names the reproduction command and, for each (benchmark, language, system, measure), the value
 * a finished run must give within a tolerance; `checkReport` compares a report.json with it.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { XlirError } from "../errors.js";

/** One expected figure: |actual - value| <= tolerance passes. */
export const expectedScoreSchema = z.strictObject({
  benchmark: z.string().min(1),
  language: z.string().min(1),
  system: z.string().min(1),
  measure: z.string().min(1),
  value: z.number(),
  tolerance: z.number().nonnegative(),
});

/**
 * The expected-scores file (`expected/*.json`).
 * @example
 * ```ts
 * import { expectedScoresSchema } from "xlir";
 * const file = expectedScoresSchema.parse({
 *   format: "xlir-expected/1",
 *   command: "./bin/xlir experiment --out runs/default",
 *   scores: [{ benchmark: "help", language: "eu", system: "student-ot", measure: "RR@10", value: 0.35, tolerance: 0.02 }],
 * });
 * console.assert(file.scores.length === 1);
 * ```
 */
export const expectedScoresSchema = z.strictObject({
  format: z.literal("xlir-expected/1"),
  /** The command whose report these figures are (e.g. `./bin/xlir experiment --out runs/default`). */
  command: z.string().min(1),
  /** When and where the figures were produced (date, machine), and anything else worth knowing. */
  note: z.string().optional(),
  scores: z.array(expectedScoreSchema).min(1),
});

export type ExpectedScore = z.output<typeof expectedScoreSchema>;
export type ExpectedScores = z.output<typeof expectedScoresSchema>;

/** A report.json result row as the check reads it (per-seed rows carry `seed`; seed-mean rows do not). */
export interface ReportRow {
  benchmark: string;
  language: string;
  system: string;
  measure: string;
  value: number;
  seed?: number | null;
}

/** One line of a check. */
export interface CheckedScore extends ExpectedScore {
  /** The report's value; null when the report has no such row. */
  actual: number | null;
  /** actual - value (null when missing). */
  difference: number | null;
  status: "ok" | "differs" | "missing";
}

export interface CheckResult {
  checked: CheckedScore[];
  /** Number of scores that differ beyond their tolerance or are missing. */
  failures: number;
}

function key(r: { benchmark: string; language: string; system: string; measure: string }): string {
  return JSON.stringify([r.benchmark, r.language, r.system, r.measure]);
}

/**
 * Checks a parsed expected-scores object; duplicate keys are refused. `source` names it in errors.
 * @example
 * ```ts
 * import { parseExpectedScores, XlirError } from "xlir";
 * const score = { benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.35, tolerance: 0.01 };
 * const ok = parseExpectedScores({ format: "xlir-expected/1", command: "xlir experiment", scores: [score] }, "a.json");
 * console.assert(ok.scores[0].value === 0.35);
 * try {
 *   parseExpectedScores({ format: "xlir-expected/1", command: "xlir experiment", scores: [score, score] }, "a.json");
 *   console.assert(false, "a repeated score was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "BAD_INPUT" && /scores\[1\] repeats scores\[0\]/.test(e.message));
 * }
 * ```
 */
export function parseExpectedScores(raw: unknown, source: string): ExpectedScores {
  const r = expectedScoresSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new XlirError("BAD_INPUT", `${source}: not an expected-scores file (${problems})`);
  }
  const seen = new Map<string, number>();
  r.data.scores.forEach((s, i) => {
    const k = key(s);
    if (seen.has(k))
      throw new XlirError(
        "BAD_INPUT",
        `${source}: scores[${i}] repeats scores[${seen.get(k)}] (${s.benchmark} ${s.language} ${s.system} ${s.measure})`,
      );
    seen.set(k, i);
  });
  return r.data;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new XlirError("NOT_FOUND", `${path}: ${what} not found`);
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new XlirError("BAD_INPUT", `${path}: ${what} is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Reads and checks an expected-scores file.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readExpectedScores, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "expected.json");
 * const scores = [{ benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.35, tolerance: 0.01 }];
 * writeFileSync(file, JSON.stringify({ format: "xlir-expected/1", command: "xlir experiment", scores }));
 * console.assert((await readExpectedScores(file)).scores[0].system === "ot");
 * const missing = await readExpectedScores(join(dir, "nope.json")).catch((e: unknown) => e);
 * console.assert(missing instanceof XlirError && missing.code === "NOT_FOUND");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readExpectedScores(path: string): Promise<ExpectedScores> {
  return parseExpectedScores(await readJson(path, "expected-scores file"), path);
}

/**
 * The seed-mean result rows of a parsed report.json (rows without a `seed`); refuses anything that
 * is not an xlir report and two seed-mean rows for one (benchmark, language, system, measure).
 * @example
 * ```ts
 * import { reportRows, XlirError } from "xlir";
 * const row = { benchmark: "help", language: "eu", system: "ot", measure: "RR@10" };
 * const rows = reportRows(
 *   { format: "xlir-report/1", results: [{ ...row, value: 0.4 }, { ...row, value: 0.38, seed: 13 }] },
 *   "report.json",
 * );
 * console.assert(rows.length === 1 && rows[0].value === 0.4); // the per-seed row is left out
 * try {
 *   reportRows({ results: [] }, "report.json");
 *   console.assert(false, "a file without the format tag was accepted");
 * } catch (e) {
 *   console.assert(e instanceof XlirError && e.code === "BAD_INPUT");
 * }
 * ```
 */
export function reportRows(raw: unknown, source: string): ReportRow[] {
  const doc = raw as { format?: unknown; results?: unknown };
  if (
    doc === null ||
    typeof doc !== "object" ||
    doc.format !== "xlir-report/1" ||
    !Array.isArray(doc.results)
  ) {
    throw new XlirError(
      "BAD_INPUT",
      `${source}: not an xlir report (expected format "xlir-report/1" and a results array)`,
    );
  }
  const rows: ReportRow[] = [];
  const seen = new Set<string>();
  doc.results.forEach((r: Partial<ReportRow>, i: number) => {
    for (const k of ["benchmark", "language", "system", "measure"] as const) {
      if (typeof r?.[k] !== "string")
        throw new XlirError("BAD_INPUT", `${source}: results[${i}].${k} is not a string`);
    }
    if (typeof r.value !== "number")
      throw new XlirError("BAD_INPUT", `${source}: results[${i}].value is not a number`);
    if (r.seed !== undefined && r.seed !== null) return; // a per-seed row
    const k = key(r as ReportRow);
    if (seen.has(k))
      throw new XlirError(
        "BAD_INPUT",
        `${source}: results[${i}] repeats ${r.benchmark} ${r.language} ${r.system} ${r.measure}`,
      );
    seen.add(k);
    rows.push(r as ReportRow);
  });
  return rows;
}

/**
 * Reads the seed-mean rows of a report.json file.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readReportRows, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "report.json");
 * const row = { benchmark: "help", language: "eu", system: "bm25", measure: "nDCG@10", value: 0.5 };
 * writeFileSync(file, JSON.stringify({ format: "xlir-report/1", results: [row] }));
 * console.assert((await readReportRows(file))[0].value === 0.5);
 * writeFileSync(file, "{ not json");
 * const bad = await readReportRows(file).catch((e: unknown) => e);
 * console.assert(bad instanceof XlirError && bad.code === "BAD_INPUT");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readReportRows(path: string): Promise<ReportRow[]> {
  return reportRows(await readJson(path, "report"), path);
}

/**
 * Compares each expected score with the report: ok when |actual - value| <= tolerance (plus 1e-12
 * for rounding), differs beyond it, missing when the report lacks the row.
 * @example
 * ```ts
 * import { checkReport } from "xlir";
 * const expected = {
 *   format: "xlir-expected/1" as const,
 *   command: "xlir experiment",
 *   scores: [{ benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.35, tolerance: 0.01 }],
 * };
 * const r = checkReport(expected, [{ benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.3 }]);
 * console.assert(r.failures === 1 && r.checked[0].status === "differs");
 * ```
 */
export function checkReport(expected: ExpectedScores, rows: readonly ReportRow[]): CheckResult {
  const byKey = new Map(rows.map((r) => [key(r), r.value]));
  const checked = expected.scores.map((s): CheckedScore => {
    const actual = byKey.get(key(s));
    if (actual === undefined) return { ...s, actual: null, difference: null, status: "missing" };
    const difference = actual - s.value;
    return {
      ...s,
      actual,
      difference,
      status: Math.abs(difference) <= s.tolerance + 1e-12 ? "ok" : "differs",
    };
  });
  return { checked, failures: checked.filter((c) => c.status !== "ok").length };
}

/**
 * An expected-scores object from a finished run's seed-mean rows (optionally only some measures),
 * each with the same tolerance: what a maintainer commits after a reference run.
 * @example
 * ```ts
 * import { checkReport, expectedFromReport } from "xlir";
 * const rows = [
 *   { benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.41 },
 *   { benchmark: "help", language: "eu", system: "ot", measure: "nDCG@10", value: 0.47 },
 * ];
 * const expected = expectedFromReport(rows, { command: "xlir experiment", tolerance: 0.01, measures: ["RR@10"] });
 * console.assert(expected.scores.length === 1 && expected.scores[0].tolerance === 0.01);
 * // the run it came from passes its own check
 * console.assert(checkReport(expected, rows).failures === 0);
 * ```
 */
export function expectedFromReport(
  rows: readonly ReportRow[],
  o: { command: string; tolerance: number; measures?: readonly string[]; note?: string },
): ExpectedScores {
  const keep = rows.filter((r) => !o.measures?.length || o.measures.includes(r.measure));
  if (keep.length === 0)
    throw new XlirError(
      "BAD_INPUT",
      `the report has no seed-mean row${o.measures?.length ? ` for ${o.measures.join(", ")}` : ""}`,
    );
  return parseExpectedScores(
    {
      format: "xlir-expected/1",
      command: o.command,
      ...(o.note ? { note: o.note } : {}),
      scores: keep.map((r) => ({
        benchmark: r.benchmark,
        language: r.language,
        system: r.system,
        measure: r.measure,
        value: r.value,
        tolerance: o.tolerance,
      })),
    },
    "expected scores",
  );
}

/**
 * Plain-text table of a check: one line per score, then a summary line.
 * @example
 * ```ts
 * import { checkReport, formatCheck } from "xlir";
 * const score = { benchmark: "help", language: "eu", system: "ot", measure: "RR@10", value: 0.35, tolerance: 0.01 };
 * const result = checkReport({ format: "xlir-expected/1", command: "xlir experiment", scores: [score] }, []);
 * const lines = formatCheck(result).trimEnd().split("\n");
 * console.assert(lines.length === 3 && lines[0].startsWith("status"));
 * console.assert(lines[1].startsWith("MISSING") && lines[2] === "1 of 1 scores differ beyond tolerance or are missing");
 * ```
 */
export function formatCheck(result: CheckResult): string {
  const f = (x: number | null): string => (x === null ? "-" : x.toFixed(4));
  const head = [
    "status",
    "benchmark",
    "language",
    "system",
    "measure",
    "expected",
    "actual",
    "diff",
    "tolerance",
  ];
  const lines = result.checked.map((c) => [
    c.status.toUpperCase(),
    c.benchmark,
    c.language,
    c.system,
    c.measure,
    f(c.value),
    f(c.actual),
    c.difference === null ? "-" : (c.difference >= 0 ? "+" : "") + c.difference.toFixed(4),
    f(c.tolerance),
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j].length)));
  const fmt = (l: string[]): string =>
    l
      .map((x, j) => x.padEnd(widths[j]))
      .join("  ")
      .trimEnd();
  const n = result.checked.length;
  const summary =
    result.failures === 0
      ? `all ${n} scores within tolerance`
      : `${result.failures} of ${n} scores differ beyond tolerance or are missing`;
  return [fmt(head), ...lines.map(fmt), summary].join("\n") + "\n";
}
