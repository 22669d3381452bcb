/**
 * Dev: counts held-out help queries that equal (leakKey) or near-duplicate (token-set Jaccard >=
 * 0.9, 3+ tokens) a side of a training pair of their language (bitext, dict, dict-rev) or a
 * teacher query, in a built data folder of either layout (xlir-benchmark/1: help/<l>/queries.tsv;
 * /2: help/<l>/{test,dev}/queries.tsv and help-rev/<l>/{test,dev}/queries.tsv).
 * Usage: tsx scripts/dev/data-leak-check.ts [DIR]   (prints JSON)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LeakageFilter } from "../../src/data/leakage.js";

const dir = process.argv[2] ?? "cache/data";
const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
  format: string;
  files: Record<string, unknown>;
};
const files = Object.keys(m.files);
const lines = (f: string) =>
  existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean) : [];
const teacher = lines("teacher/train.tsv").map((l) => l.split("\t")[0]);
const out: Record<string, unknown> = { dir, format: m.format };
let total = 0;
let leaked = 0;
for (const qf of files.filter((f) => /^help(-rev)?\/[^/]+\/((test|dev)\/)?queries\.tsv$/.test(f)).sort()) {
  const [suite, lang] = qf.split("/");
  const sides: string[] = [];
  for (const f of [`bitext/${lang}.tsv`, `dict/${lang}.tsv`, `dict-rev/${lang}.tsv`])
    for (const l of lines(f)) sides.push(...l.split("\t"));
  if (suite === "help-rev") sides.push(...teacher);
  // The rules are symmetric: index the training sides, probe the queries.
  const filter = new LeakageFilter(sides);
  const qs = lines(qf).map((l) => l.split("\t")[1]);
  const r = { queries: qs.length, exact: 0, near: 0, examples: [] as string[] };
  for (const q of qs) {
    const k = filter.match(q);
    if (!k) continue;
    r[k]++;
    if (r.examples.length < 5) r.examples.push(q);
  }
  total += qs.length;
  leaked += r.exact + r.near;
  out[qf] = r;
}
out.total = { queries: total, equalOrNearTrainingSide: leaked };
console.log(JSON.stringify(out, null, 1));
