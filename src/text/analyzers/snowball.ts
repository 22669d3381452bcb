/**
 * Languages with a Snowball stemmer in `snowball-stemmers` 0.6 (Basque, Irish, Spanish, ...,
 * see SNOWBALL_BY_LANG): words, lower case, stopwords-iso list where the package has one,
 * Snowball stemming. No n-grams by default.
 */
import { resolveOptions } from "../analyzer.js";
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { isoStopwords, SNOWBALL_BY_LANG } from "./resources.js";
import { pipelineAnalyzer } from "./pipeline.js";

export function snowballAnalyzer(lang: string, options: AnalyzerOptions): Analyzer {
  const resolved = resolveOptions(options, {
    stopwords: isoStopwords(lang) ? "iso" : "none",
    stemmer: SNOWBALL_BY_LANG[lang] ?? "none",
    ngram: 0,
    maxSegment: 0,
  });
  return pipelineAnalyzer({ family: "snowball", spec: { lang, options }, resolved, stopwordLang: lang });
}
