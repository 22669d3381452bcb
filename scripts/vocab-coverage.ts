/**
 * How well the shared subword vocabulary covers each help language (issue 17's vocabulary lever,
 * measured without training): per language, on the foreign side of its training bitext and on its
 * dev queries (dev only; test files are not opened), the subwords per word (fertility), the share
 * of words kept whole, the share of unknown tokens, and how many vocabulary entries the language's
 * bitext uses; the English dev queries of the same pages beside them as the reference.
 * usage: node --import tsx scripts/vocab-coverage.ts TOKENIZER_JSON [DATA_DIR (default cache/data)]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TextTokenizer } from "../src/text/tokenizer.js";
import { wordTokens } from "../src/text/analyzer.js";

const [tokenizerFile, dataDir = "cache/data"] = process.argv.slice(2);
if (!tokenizerFile) {
  console.error("usage: node --import tsx scripts/vocab-coverage.ts TOKENIZER_JSON [DATA_DIR]");
  process.exit(2);
}
const tok = await TextTokenizer.fromFile(tokenizerFile);
const unk = tok.unkId;

/** Second column of a TSV file (the text of `id<TAB>text` or the foreign side of `foreign<TAB>english`). */
const column = (file: string, col: number): string[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t")[col] ?? "");

interface Coverage {
  texts: number;
  fertility: number;
  whole: number;
  unknown: number;
  types: number;
}

function coverage(texts: readonly string[]): Coverage {
  let words = 0,
    pieces = 0,
    whole = 0,
    unknown = 0;
  const used = new Set<number>();
  for (const t of texts) {
    for (const w of wordTokens(t.normalize("NFKC"))) {
      const { ids } = tok.encodeOne(w, 1 << 16, false);
      words++;
      pieces += ids.length;
      if (ids.length === 1) whole++;
      for (const id of ids) {
        used.add(id);
        if (id === unk) unknown++;
      }
    }
  }
  return {
    texts: texts.length,
    fertility: pieces / Math.max(words, 1),
    whole: whole / Math.max(words, 1),
    unknown: unknown / Math.max(pieces, 1),
    types: used.size,
  };
}

const fmt = (c: Coverage): string =>
  `${c.texts} | ${c.fertility.toFixed(2)} | ${(100 * c.whole).toFixed(1)}% | ${(100 * c.unknown).toFixed(2)}%`;
console.log(`Vocabulary: ${tokenizerFile} (${tok.vocabSize} entries)\n`);
console.log(
  "| lang | bitext pairs | bitext subwords/word | bitext words whole | bitext unknown | vocabulary entries used | dev queries | dev subwords/word | dev words whole | dev unknown | English dev subwords/word |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const lang of ["eu", "om", "km", "dz", "hi"]) {
  const bitext = coverage(column(join(dataDir, "bitext", `${lang}.tsv`), 0));
  const dev = coverage(column(join(dataDir, "help", lang, "dev", "queries.tsv"), 1));
  const english = coverage(column(join(dataDir, "help", lang, "dev", "queries.en.tsv"), 1));
  console.log(
    `| ${lang} | ${fmt(bitext)} | ${bitext.types} | ${fmt(dev)} | ${english.fertility.toFixed(2)} |`,
  );
}
