/**
 * Prints the README's result tables from a finished experiment's report.json, so that the README
 * shows exactly what a run produced: `node --import tsx scripts/readme-tables.ts runs/default`.
 * - one MRR@10 table (seed means for the students, ± sd over seeds), `*` = different from teacher
 *   zero-shot after correction;
 * - the OT-vs-contrastive verdict per benchmark, language and measure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReportComparison, ReportResult } from "../src/report/types.js";

type Row = ReportResult;
type Comparison = ReportComparison;

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node --import tsx scripts/readme-tables.ts RUN_DIR [MEASURE]\n");
  process.exit(2);
}
const measure = process.argv[3] ?? "RR@10";
const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
  results: Row[];
  comparisons: Comparison[];
  systems: string[];
};
const rows = report.results.filter((r) => r.seed === undefined && r.measure === measure);
// baselines, then students, then fused systems, then the ceilings
const rank = (s: string): number => (s.startsWith("teacher-english") ? 3 : s.startsWith("rrf(") ? 2 : 0);
const systems = report.systems
  .filter((s) => rows.some((r) => r.system === s))
  .sort((a, b) => rank(a) - rank(b));
const f3 = (x: number): string => x.toFixed(3);
const cell = (r: Row | undefined): string =>
  r ? `${f3(r.value)}${r.sd !== undefined ? ` ± ${f3(r.sd)}` : ""}${r.significant ? "*" : ""}` : "–";
const out: string[] = [];
out.push(`| benchmark | lang | ${systems.join(" | ")} |`, `|---|---|${systems.map(() => "---:|").join("")}`);
const keys = [...new Set(rows.map((r) => `${r.benchmark}\t${r.language}`))];
for (const k of keys) {
  const [b, l] = k.split("\t");
  out.push(
    `| ${b} | ${l} | ${systems.map((s) => cell(rows.find((r) => r.benchmark === b && r.language === l && r.system === s))).join(" | ")} |`,
  );
}
out.push("");
const fp = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
out.push(
  `| benchmark | lang | measure | ot (mean ± sd) | contrastive (mean ± sd) | per-seed ot - contrastive | p | p (Holm) | verdict |`,
  `|---|---|---|---:|---:|---|---:|---:|---|`,
);
for (const c of report.comparisons.filter((x) => x.measure === measure || process.argv[4] === "all")) {
  out.push(
    `| ${c.benchmark} | ${c.language} | ${c.measure} | ${f3(c.meanA)} ± ${f3(c.sdA ?? 0)} | ${f3(c.meanB)} ± ${f3(c.sdB ?? 0)} | ${(c.seedDiffs ?? []).map((d) => (d >= 0 ? "+" : "") + f3(d)).join(" ")} | ${fp(c.p)} | ${fp(c.pAdjusted)} | ${c.verdict ?? "-"} |`,
  );
}
process.stdout.write(out.join("\n") + "\n");
