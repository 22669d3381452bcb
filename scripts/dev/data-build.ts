/** Dev: runs buildBenchmark directly (bypasses the CLI registry). Usage: tsx scripts/dev/data-build.ts OUT [langs] */
import { buildBenchmark } from "../../src/data/build.js";

const [out = "cache/data", langs] = process.argv.slice(2);
const t0 = Date.now();
const m = await buildBenchmark({
  out,
  langs: langs ? langs.split(",") : undefined,
  onProgress: (p) => process.stderr.write(`\r${p.stage} ${p.done}/${p.total} ${p.detail ?? ""}        `),
});
process.stderr.write("\n");
for (const [l, c] of Object.entries(m.languages))
  if (c.help || c.bitext || c.dict) console.log(l, JSON.stringify(c));
console.log(
  "udhr versions",
  m.udhr.length,
  "langs",
  m.langs.join(","),
  "split",
  JSON.stringify(m.split),
  "skipped",
  JSON.stringify(m.skipped),
);
console.log("seconds", (Date.now() - t0) / 1000);
