/**
 * The one analysis pipeline every family configures:
 *   NFKC + lower case -> words (analyzer.ts WORD_RE) -> [English possessive 's removed]
 *   -> stopwords dropped -> stemmer -> character n-grams (see the maxSegment rule below).
 */
import { charNgrams, foldCase, resolveOptions, wordTokens } from "../analyzer.js";
import type { Analyzer, AnalyzerSpec, AnalyzerOptions } from "../analyzer.js";
import { isoStopwords, snowballStemmer, stopwordSet } from "./resources.js";

export interface PipelineSettings {
  family: string;
  spec: AnalyzerSpec;
  resolved: Required<AnalyzerOptions>;
  /** Language whose stopword list "iso" names (the spec's lang, "en" for English). */
  stopwordLang: string;
  /** Remove a trailing `'s` / `’s` (Lucene's EnglishPossessiveFilter). */
  possessive?: boolean;
}

export function pipelineAnalyzer(s: PipelineSettings): Analyzer {
  const { resolved } = s;
  const stop = stopwordSet(s.stopwordLang, resolved.stopwords);
  const stem = resolved.stemmer === "none" ? undefined : snowballStemmer(resolved.stemmer);
  const n = resolved.ngram;
  const maxSegment = resolved.maxSegment;
  const possessive = s.possessive ?? false;
  const analyze = (text: string): string[] => {
    const out: string[] = [];
    for (let w of wordTokens(foldCase(text))) {
      if (possessive && (w.endsWith("'s") || w.endsWith("\u2019s"))) w = w.slice(0, -2);
      if (w.length === 0 || stop.has(w)) continue;
      if (stem) w = stem(w);
      if (w.length === 0) continue;
      if (n === 0) {
        out.push(w);
        continue;
      }
      // maxSegment 0: n-grams of every word (a word of <= n code points stays whole).
      // maxSegment > 0: a word of <= maxSegment code points is kept whole AND, when longer
      // than n, also gives its n-grams (so a short query word still meets a long unsegmented
      // run of a document); a longer word gives n-grams only.
      const len = Array.from(w).length;
      if (maxSegment > 0 && len <= maxSegment) out.push(w);
      if (maxSegment === 0 || len > n) for (const g of charNgrams(w, n)) out.push(g);
    }
    return out;
  };
  return { family: s.family, spec: s.spec, resolved, analyze };
}

/**
 * The families of languages other than English (snowball, ngram, unsegmented): the stopwords-iso
 * list of `lang` by default where the package has one (else none), the family's other defaults,
 * and the user's options over both.
 */
export function isoStopwordAnalyzer(
  family: string,
  lang: string,
  options: AnalyzerOptions,
  defaults: Omit<Required<AnalyzerOptions>, "stopwords">,
): Analyzer {
  const resolved = resolveOptions(options, { stopwords: isoStopwords(lang) ? "iso" : "none", ...defaults });
  return pipelineAnalyzer({ family, spec: { lang, options }, resolved, stopwordLang: lang });
}
