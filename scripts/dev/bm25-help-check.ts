/**
 * BM25 baselines on the built-in help-page known-item CLIR benchmark (docs/data.md), MRR@10:
 * raw foreign queries, Apertium-translated Basque queries, dictionary-translated queries and
 * the English titles (ceiling), against an English BM25 index of the 2,560 help pages.
 *
 *   node --import tsx scripts/dev/bm25-help-check.ts [--data cache/data] [--langs eu,om,km,dz,hi]
 *        [--stemmer english|porter|none] [--stopwords lucene|iso|none] [--k1 0.9] [--b 0.4]
 *        [--length-norm exact|lucene] [--no-mt]
 *
 * MRR@10 comes from src/eval's evaluateRun ("RR@10", trec_eval -c -M 10 semantics) and is
 * cross-checked against a 10-line local implementation (they must agree to 1e-12).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Bm25Index } from "../../src/index/bm25.js";
import type { CorpusDocument, ScoredDoc } from "../../src/index/bm25.js";
import { CommandTranslator } from "../../src/search/translate/command.js";
import { DictionaryTranslator } from "../../src/search/translate/dictionary.js";
import { evaluateRun } from "../../src/eval/evaluate.js";
import type { Qrels, Run } from "../../src/eval/types.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const dataDir = opt("data", "cache/data");
const langs = opt("langs", "eu,om,km,dz,hi").split(",");
const withMt = !argv.includes("--no-mt");
const analyzerOptions = {
  stemmer: opt("stemmer", "english"),
  stopwords: opt("stopwords", "lucene") as "lucene" | "iso" | "none",
};
const k1 = Number(opt("k1", "0.9")),
  b = Number(opt("b", "0.4"));
const lengthNorm = opt("length-norm", "exact") as "exact" | "lucene";

const readTsv = (p: string): { id: string; text: string }[] =>
  readFileSync(p, "utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const t = l.indexOf("\t");
      return { id: l.slice(0, t), text: l.slice(t + 1) };
    });

function readQrelsFile(p: string): Qrels {
  const q: Qrels = new Map();
  for (const l of readFileSync(p, "utf8").split("\n")) {
    const f = l.trim().split(/\s+/);
    if (f.length < 4) continue;
    if (!q.has(f[0])) q.set(f[0], new Map());
    q.get(f[0])!.set(f[2], Number(f[3]));
  }
  return q;
}

/** Local MRR@10 over every judged query (trec_eval -c): mean of 1/rank of the first relevant doc in the top 10. */
function mrr10(qrels: Qrels, run: Map<string, ScoredDoc[]>): number {
  let sum = 0;
  for (const [qid, rel] of qrels) {
    const r = (run.get(qid) ?? []).slice(0, 10).findIndex((d) => (rel.get(d.docno) ?? 0) > 0);
    if (r >= 0) sum += 1 / (r + 1);
  }
  return sum / qrels.size;
}

const corpusPath = join(dataDir, "help", "corpus.jsonl");
if (!existsSync(corpusPath)) {
  console.error(`${corpusPath} not found: build the data first (./bin/xlir data build)`);
  process.exit(1);
}
const docs: CorpusDocument[] = readFileSync(corpusPath, "utf8")
  .split("\n")
  .filter((l) => l)
  .map((l) => JSON.parse(l) as CorpusDocument);
let t0 = performance.now();
const index = Bm25Index.build(docs, {
  analyzer: { lang: "en", options: analyzerOptions },
  k1,
  b,
  lengthNorm,
});
const buildMs = performance.now() - t0;
console.log(
  `index: ${index.docCount} docs, ${index.termCount} terms, ${index.postingCount} postings, avgdl ${index.avgDocLength.toFixed(1)}, built in ${buildMs.toFixed(0)} ms; analyser ${JSON.stringify(index.analyzer.resolved)}, ${JSON.stringify(index.params)}`,
);

const results: Record<string, Record<string, number>> = {};
let searched = 0,
  searchMs = 0;
function score(lang: string, variant: string, qrels: Qrels, queries: { id: string; text: string }[]): void {
  t0 = performance.now();
  const run = index.searchBatch(queries, 100);
  searchMs += performance.now() - t0;
  searched += queries.length;
  const asRun: Run = new Map(
    [...run].map(([q, list]) => [q, list.map((d) => ({ docno: d.docno, score: d.score }))]),
  );
  const official = evaluateRun(qrels, asRun, ["RR@10"]).mean.values().next().value as number;
  const local = mrr10(qrels, run);
  if (Math.abs(official - local) > 1e-12)
    throw new Error(`${lang}/${variant}: evaluateRun ${official} vs local ${local}`);
  (results[lang] ??= {})[variant] = official;
  console.log(
    `${lang.padEnd(3)} ${variant.padEnd(12)} MRR@10 ${official.toFixed(4)}  (${queries.length} queries, ${qrels.size} judged)`,
  );
}

for (const lang of langs) {
  const dir = join(dataDir, "help", lang);
  if (!existsSync(join(dir, "queries.tsv"))) continue;
  const qrels = readQrelsFile(join(dir, "qrels.txt"));
  const raw = readTsv(join(dir, "queries.tsv"));
  score(lang, "raw", qrels, raw);
  if (lang === "eu" && withMt) {
    t0 = performance.now();
    const mt = await new CommandTranslator({ command: "apertium", args: ["eu-en"] }).translate(
      raw.map((q) => q.text),
    );
    console.log(
      `    apertium eu-en: ${raw.length} queries in ${(performance.now() - t0).toFixed(0)} ms; e.g. "${raw[1].text}" -> "${mt[1]}"`,
    );
    score(
      lang,
      "apertium",
      qrels,
      raw.map((q, i) => ({ id: q.id, text: mt[i] })),
    );
  }
  const dictPath = join(dataDir, "dict", `${lang}.tsv`);
  if (existsSync(dictPath)) {
    for (const [name, o] of [
      ["dict-first", { translations: "first" }],
      ["dict-all", { translations: "all" }],
    ] as const) {
      const d = await DictionaryTranslator.fromTsv(dictPath, { ...o, lang });
      const tr = await d.translate(raw.map((q) => q.text));
      score(
        lang,
        name,
        qrels,
        raw.map((q, i) => ({ id: q.id, text: tr[i] })),
      );
    }
  }
  score(lang, "english", qrels, readTsv(join(dir, "queries.en.tsv")));
}
console.log(
  `search: ${searched} queries in ${searchMs.toFixed(0)} ms (${(searched / (searchMs / 1000)).toFixed(0)} q/s, top 100)`,
);
console.log(
  JSON.stringify({
    buildMs: Math.round(buildMs),
    searchQps: Math.round(searched / (searchMs / 1000)),
    params: index.params,
    analyzer: index.analyzer.resolved,
    mrr10: results,
  }),
);
