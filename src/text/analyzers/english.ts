/**
 * English analyser, close to Anserini's default (DefaultEnglishAnalyzer): words, possessive
 * `'s` removed, lower case, Lucene's 33 English stopwords, Porter-family stemming.
 *
 * Differences from Anserini (documented, deliberate or unavoidable):
 * - default stemmer is Snowball English (Porter2); Anserini's default is the original Porter
 *   stemmer (`stemmer: "porter"` here gives that algorithm, from Snowball's `porter`);
 * - tokenisation is a Unicode regular expression (letters, marks, digits, internal
 *   apostrophes), not Lucene's StandardTokenizer (UAX#29): e.g. `3.5` and `e-mail` are split
 *   into two words here; URLs and e-mail addresses are split at punctuation;
 * - NFKC normalisation before lower-casing (Lucene's default analyser does none).
 * `stopwords: "iso"` selects the 1,298-word stopwords-iso English list instead.
 */
import { resolveOptions } from "../analyzer.js";
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { pipelineAnalyzer } from "./pipeline.js";

export function englishAnalyzer(options: AnalyzerOptions): Analyzer {
  const resolved = resolveOptions(options, {
    stopwords: "lucene",
    stemmer: "english",
    ngram: 0,
    maxSegment: 0,
  });
  return pipelineAnalyzer({
    family: "english",
    spec: { lang: "en", options },
    resolved,
    stopwordLang: "en",
    possessive: true,
  });
}
