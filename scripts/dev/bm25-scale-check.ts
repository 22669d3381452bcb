/**
 * BM25 scale check on a synthetic corpus: Zipf-distributed words (s = 1.1) from a vocabulary of
 * 50,000, document lengths uniform in [L/2, 3L/2], seeded. Prints build, save, load and search
 * times. Analyser "generic" by default (so the numbers are the index's, not the stemmer's).
 *
 *   node --import tsx scripts/dev/bm25-scale-check.ts [--docs 100000] [--len 300] [--queries 500]
 *        [--analyzer generic|en] [--seed 1]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Bm25Index } from "../../src/index/bm25.js";
import { loadBm25, saveBm25 } from "../../src/index/bm25-store.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const N = Number(opt("docs", "100000")),
  L = Number(opt("len", "300")),
  Q = Number(opt("queries", "500"));
const analyzer = opt("analyzer", "generic");
let seed = Number(opt("seed", "1")) >>> 0;
const rand = (): number => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const V = 50_000;
const cdf = new Float64Array(V);
let acc = 0;
for (let i = 0; i < V; i++) cdf[i] = acc += 1 / Math.pow(i + 1, 1.1);
const word = (): string => {
  const u = rand() * acc;
  let lo = 0,
    hi = V - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (cdf[m] < u) lo = m + 1;
    else hi = m;
  }
  return `w${lo.toString(36)}`;
};
function* corpus(): Generator<{ id: string; text: string }> {
  for (let d = 0; d < N; d++) {
    const len = Math.floor(L / 2 + rand() * L);
    const ws: string[] = new Array(len);
    for (let i = 0; i < len; i++) ws[i] = word();
    yield { id: `doc${d}`, text: ws.join(" ") };
  }
}
let t0 = performance.now();
const index = Bm25Index.build(corpus(), { analyzer });
const buildS = (performance.now() - t0) / 1000;
const queries = Array.from({ length: Q }, (_, i) => ({
  id: `q${i}`,
  text: Array.from({ length: 5 }, word).join(" "),
}));
t0 = performance.now();
let hits = 0;
for (const q of queries) hits += index.search(q.text, 1000).length;
const searchS = (performance.now() - t0) / 1000;
const dir = join(mkdtempSync(join(tmpdir(), "xlir-bm25-scale-")), "idx");
t0 = performance.now();
await saveBm25(index, dir);
const saveS = (performance.now() - t0) / 1000;
t0 = performance.now();
const back = await loadBm25(dir);
const loadS = (performance.now() - t0) / 1000;
const same =
  JSON.stringify(back.search(queries[0].text, 10)) === JSON.stringify(index.search(queries[0].text, 10));
rmSync(join(dir, ".."), { recursive: true, force: true });
console.log(
  JSON.stringify({
    docs: N,
    avgLen: L,
    analyzer,
    terms: index.termCount,
    postings: index.postingCount,
    buildS: +buildS.toFixed(2),
    docsPerS: Math.round(N / buildS),
    saveS: +saveS.toFixed(2),
    loadS: +loadS.toFixed(2),
    queries: Q,
    queryTerms: 5,
    k: 1000,
    searchQps: Math.round(Q / searchS),
    meanHits: hits / Q,
    reloadIdentical: same,
    rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  }),
);
