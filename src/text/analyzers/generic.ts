/**
 * The analyser for languages xlir knows nothing about (and for lang "generic"): words, NFKC +
 * lower case, nothing else (no stopwords, no stemming, no n-grams) unless options ask for them
 * (`ngram: 4` is a reasonable choice for an unknown inflecting language).
 */
import { resolveOptions } from "../analyzer.js";
import type { Analyzer, AnalyzerOptions } from "../analyzer.js";
import { pipelineAnalyzer } from "./pipeline.js";

export function genericAnalyzer(lang: string, options: AnalyzerOptions): Analyzer {
  const resolved = resolveOptions(options, { stopwords: "none", stemmer: "none", ngram: 0, maxSegment: 0 });
  return pipelineAnalyzer({ family: "generic", spec: { lang, options }, resolved, stopwordLang: lang });
}
