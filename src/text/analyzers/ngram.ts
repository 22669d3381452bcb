/**
 * Languages written with spaces but without a stemmer in our packages (sw, so, yo, ha, tl, mr,
 * hi, om, cy, am, rw, zu, xh, ...): words, lower case, stopwords-iso list where the package has
 * one (sw, so, yo, ha, tl, mr, hi; none for om, cy), then character 4-grams of every word
 * longer than 4 code points (shorter words kept whole) as a language-independent substitute for
 * stemming (McNamee & Mayfield 2004, "Character N-Gram Tokenization for European Language
 * Text Retrieval").
 */
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { isoStopwordAnalyzer } from "./pipeline.js";

export function ngramAnalyzer(lang: string, options: AnalyzerOptions): Analyzer {
  return isoStopwordAnalyzer("ngram", lang, options, { stemmer: "none", ngram: 4, maxSegment: 0 });
}
