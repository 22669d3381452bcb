/**
 * Scripts written without spaces between words (Khmer km, Dzongkha dz / Tibetan bo, Thai th,
 * Lao lo, Burmese my). Separators are whatever is not a letter, mark or digit: in particular
 * U+200B ZERO WIDTH SPACE (how Khmer text marks word boundaries) and U+0F0B TIBETAN MARK
 * INTERSYLLABIC TSHEG (Dzongkha/Tibetan syllables; a syllable is then the unit). Every segment
 * is kept whole (when at most 12 code points) and also split into character 3-grams: a run of
 * text without separators (longer than 12) gives 3-grams only, so titles with no separators are
 * still searchable, and a short query segment still meets such a run through its 3-grams.
 * Stopwords from stopwords-iso where it has a list (th, my); none otherwise.
 */
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { isoStopwordAnalyzer } from "./pipeline.js";

export function unsegmentedAnalyzer(lang: string, options: AnalyzerOptions): Analyzer {
  return isoStopwordAnalyzer("unsegmented", lang, options, { stemmer: "none", ngram: 3, maxSegment: 12 });
}
