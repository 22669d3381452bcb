/**
 * Text analysis for lexical retrieval (BM25): text -> list of index terms.
 *
 * An analyser is a pure function of its spec `{ lang, options }`, so an index stores the spec in
 * its manifest and rebuilds the identical analyser when it is loaded (`getAnalyzer(spec.lang,
 * spec.options)` in ./analyzers/registry.ts). The pieces shared by every language family live
 * here: Unicode normalisation + case folding, word tokenisation, character n-grams.
 */
import { XlirError } from "../errors.js";

/** Options every analyser accepts; `undefined` means "the language's default". */
export interface AnalyzerOptions {
  /**
   * Stopword list: "default" (the language's list, see each family), "none", "iso" (the
   * `stopwords-iso` list of the language), "lucene" (Lucene's 33-word English list, English only).
   */
  stopwords?: "default" | "none" | "iso" | "lucene";
  /**
   * Stemmer: "default" (the language's stemmer), "none", or a `snowball-stemmers` algorithm name
   * ("english" = Porter2, "porter" = original Porter, "basque", "irish", ...).
   */
  stemmer?: string;
  /**
   * Character n-gram length; 0 turns n-grams off. Default 4 for languages without a stemmer,
   * 0 for stemmed languages, 3 for the fallback of scripts written without spaces.
   */
  ngram?: number;
  /**
   * 0 (default): every word is replaced by its n-grams. > 0 (default 12 for scripts written
   * without spaces: km, dz, bo, th, lo, my): a word of at most this many code points is kept
   * whole and also gives its n-grams; a longer one (a run of text without separators) gives
   * n-grams only.
   */
  maxSegment?: number;
}

/** The serialisable identity of an analyser: stored in index manifests. */
export interface AnalyzerSpec {
  /** ISO 639-1 code as requested (lower case), or "generic". */
  lang: string;
  /** Options as given by the user (defaults are resolved by the family, see `resolved`). */
  options: AnalyzerOptions;
}

export interface Analyzer {
  /** Family name: "english", "snowball", "ngram", "unsegmented", "generic". */
  readonly family: string;
  readonly spec: AnalyzerSpec;
  /** Every option after defaults, for reports and manifests. */
  readonly resolved: Required<AnalyzerOptions>;
  /** Text -> index terms, in text order (duplicates kept: BM25 counts them). */
  analyze(text: string): string[];
}

const OPTION_KEYS = new Set(["stopwords", "stemmer", "ngram", "maxSegment"]);

/**
 * Validates an options object (unknown keys and bad values are refused with a CONFIG error).
 * @example
 * ```ts
 * import { checkAnalyzerOptions, XlirError } from "xlir";
 * console.assert(checkAnalyzerOptions({ ngram: 3 }).ngram === 3);
 * console.assert(Object.keys(checkAnalyzerOptions(undefined)).length === 0);
 * let code = "";
 * try {
 *   checkAnalyzerOptions({ ngrams: 3 } as never);
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "CONFIG");
 * ```
 */
export function checkAnalyzerOptions(options: AnalyzerOptions | undefined): AnalyzerOptions {
  const o = options ?? {};
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) {
      throw new XlirError(
        "CONFIG",
        `analyzer option '${key}' is unknown; known: ${[...OPTION_KEYS].join(", ")}`,
      );
    }
  }
  if (o.stopwords !== undefined && !["default", "none", "iso", "lucene"].includes(o.stopwords)) {
    throw new XlirError(
      "CONFIG",
      `analyzer option stopwords='${String(o.stopwords)}': expected default, none, iso or lucene`,
    );
  }
  for (const key of ["ngram", "maxSegment"] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 32)) {
      throw new XlirError("CONFIG", `analyzer option ${key}=${String(v)}: expected an integer 0..32`);
    }
  }
  return o;
}

/**
 * Normalisation + case folding: Unicode NFKC (folds ligatures, full-width forms), then
 * `toLowerCase()` (locale-independent full lower-casing).
 * @example
 * ```ts
 * import { foldCase } from "xlir";
 * // full-width letters and the "ﬁ" ligature are folded by NFKC, then lower-cased
 * console.assert(foldCase("ＡＢＣ ﬁle Straße") === "abc file straße");
 * ```
 */
export function foldCase(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/**
 * Word characters: letters, combining marks (needed by Devanagari, Khmer, Tibetan vowel signs)
 * and digits; a word may contain internal apostrophes (`user's`, Hausa `'ya` stays split at its
 * leading apostrophe). Everything else (spaces, punctuation, U+200B zero-width space, U+0F0B
 * tsheg, U+0F0D shad) separates words.
 */
const WORD_RE = /[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * Splits folded text into words (see WORD_RE).
 * @example
 * ```ts
 * import { wordTokens } from "xlir";
 * // internal apostrophes stay, other punctuation (and U+200B) separates
 * const w = wordTokens("user's e-mail, 3.5\u200bkm");
 * console.assert(w.join("|") === "user's|e|mail|3|5|km");
 * ```
 */
export function wordTokens(text: string): string[] {
  return text.match(WORD_RE) ?? [];
}

/**
 * Character n-grams of one word over code points: a word of L code points gives L-n+1 grams;
 * a word with L <= n is returned whole (so short words still match).
 * @example
 * ```ts
 * import { charNgrams } from "xlir";
 * console.assert(charNgrams("hello", 3).join(" ") === "hel ell llo"); // 5 - 3 + 1 = 3 grams
 * console.assert(charNgrams("hi", 3).join(" ") === "hi"); // short words stay whole
 * console.assert(charNgrams("ñandú", 4).length === 2); // code points, not UTF-16 units
 * ```
 */
export function charNgrams(word: string, n: number): string[] {
  const cps = Array.from(word);
  if (n <= 0 || cps.length <= n) return [word];
  const out: string[] = [];
  for (let i = 0; i + n <= cps.length; i++) out.push(cps.slice(i, i + n).join(""));
  return out;
}

/**
 * Fills in `resolved` from per-family defaults; shared by the family files.
 * @example
 * ```ts
 * import { resolveOptions } from "xlir";
 * const r = resolveOptions(
 *   { stopwords: "default", ngram: 2 },
 *   { stopwords: "iso", stemmer: "none", ngram: 4, maxSegment: 0 },
 * );
 * // "default" and missing options take the family default; given ones win
 * console.assert(r.stopwords === "iso" && r.stemmer === "none" && r.ngram === 2 && r.maxSegment === 0);
 * ```
 */
export function resolveOptions(
  options: AnalyzerOptions,
  defaults: Required<AnalyzerOptions>,
): Required<AnalyzerOptions> {
  const pick = <K extends keyof AnalyzerOptions>(k: K): Required<AnalyzerOptions>[K] => {
    const v = options[k];
    return (v === undefined || v === "default" ? defaults[k] : v) as Required<AnalyzerOptions>[K];
  };
  return {
    stopwords: pick("stopwords"),
    stemmer: pick("stemmer"),
    ngram: pick("ngram"),
    maxSegment: pick("maxSegment"),
  };
}
