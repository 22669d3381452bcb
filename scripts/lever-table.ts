/**
 * The lever table of `scripts/levers.sh`: for every DIR/<lever>/dev.json, the dev figure of each
 * student loss (mean over seeds, and its difference from the baseline) and the teacher's English
 * ceiling, as Markdown. usage: node --import tsx scripts/lever-table.ts runs/levers [REFERENCE [LEVER ...]]
 * REFERENCE (default baseline) is the run the differences are taken from; LEVER ... limit the
 * table to those runs (the reference first).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DevFile } from "../src/experiment/dev-eval.js";

const dir = process.argv[2] ?? "runs/levers";
const reference = process.argv[3] ?? "baseline";
const only = process.argv.slice(4);
const names = only.length ? [reference, ...only.filter((n) => n !== reference)] : readdirSync(dir).sort();
const files = new Map<string, DevFile>();
for (const name of names) {
  const f = join(dir, name, "dev.json");
  if (existsSync(f)) files.set(name, JSON.parse(readFileSync(f, "utf8")) as DevFile);
  else if (only.length) throw new Error(`${f}: no such dev file`);
}
const base = files.get(reference);
const cell = (f: DevFile, system: string): string => {
  const s = f.summary[system];
  if (!s) return "–";
  const b = base?.summary[system];
  const delta = b && f !== base ? ` (${s.mean - b.mean >= 0 ? "+" : ""}${(s.mean - b.mean).toFixed(3)})` : "";
  const sd = f.seeds.length > 1 ? ` ± ${s.sd.toFixed(3)}` : "";
  return `${s.mean.toFixed(3)}${sd}${delta}`;
};
const any = [...files.values()][0];
const lines = [
  `Dev ${any?.measure ?? "RR@10"} (macro-average over ${any?.devLanguages.join(", ") ?? "the dev languages"}; mean ± sd over the seeds of each row); in brackets: the difference from ${reference}. Test judgments were not read.`,
  "",
  "| lever | seeds | ot | contrastive | teacher zero-shot | teacher, English queries (ceiling) | minutes |",
  "|---|---|---:|---:|---:|---:|---:|",
  ...[...files].map(
    ([name, f]) =>
      `| ${name} | ${f.seeds.join(", ")} | ${cell(f, "ot")} | ${cell(f, "contrastive")} | ${cell(f, "teacher-zero-shot")} | ${cell(f, "teacher-english")} | ${(f.produced.seconds / 60).toFixed(1)} |`,
  ),
];
console.log(lines.join("\n"));
