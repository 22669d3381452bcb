/**
 * Languages with a Snowball stemmer in `snowball-stemmers` 0.6 (Basque, Irish, Spanish, ...,
 * see SNOWBALL_BY_LANG): words, lower case, stopwords-iso list where the package has one,
 * Snowball stemming. No n-grams by default.
 */
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { SNOWBALL_BY_LANG } from "./resources.js";
import { isoStopwordAnalyzer } from "./pipeline.js";

export function snowballAnalyzer(lang: string, options: AnalyzerOptions): Analyzer {
  return isoStopwordAnalyzer("snowball", lang, options, {
    stemmer: SNOWBALL_BY_LANG[lang] ?? "none",
    ngram: 0,
    maxSegment: 0,
  });
}
