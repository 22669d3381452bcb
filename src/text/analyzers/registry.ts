/**
 * Analyser registry keyed by ISO 639-1 code. `getAnalyzer(lang, options)`:
 * - "en"                         -> english (Porter2 + Lucene stopwords, see english.ts)
 * - a code in SNOWBALL_BY_LANG   -> snowball (eu, ga, es, fr, ... : stemmer + stopwords-iso)
 * - a code in NGRAM_LANGS        -> ngram (sw, so, yo, ha, tl, mr, hi, om, cy ...: 4-grams)
 * - a code in UNSEGMENTED_LANGS  -> unsegmented (km, dz, bo, th, lo, my: separators + 3-grams)
 * - anything else                -> generic (lower-cased words only), as documented there.
 * A few ISO 639-3 codes used by UDHR/CLDR files are accepted as aliases (eus -> eu, ...).
 */
import { checkAnalyzerOptions } from "../analyzer.js";
import type { Analyzer, AnalyzerOptions, AnalyzerSpec } from "../analyzer.js";
import { englishAnalyzer } from "./english.js";
import { genericAnalyzer } from "./generic.js";
import { ngramAnalyzer } from "./ngram.js";
import { SNOWBALL_BY_LANG } from "./resources.js";
import { snowballAnalyzer } from "./snowball.js";
import { unsegmentedAnalyzer } from "./unsegmented.js";

/** Spaced languages with no stemmer in our packages: character n-grams. */
export const NGRAM_LANGS: readonly string[] = [
  "sw",
  "so",
  "yo",
  "ha",
  "tl",
  "fil",
  "mr",
  "hi",
  "ne",
  "om",
  "cy",
  "am",
  "rw",
  "zu",
  "xh",
  "ig",
  "bn",
  "ur",
  "fa",
  "ps",
  "ku",
  "gu",
  "pa",
  "te",
  "kn",
  "ml",
  "si",
  "mg",
  "ny",
  "sn",
  "st",
  "tn",
  "ti",
  "wo",
  "ln",
  "lg",
  "ak",
  "ee",
  "gd",
  "br",
  "is",
  "mt",
  "lb",
  "gl",
  "af",
  "id",
  "ms",
  "vi",
];

/** Scripts without spaces between words. */
export const UNSEGMENTED_LANGS: readonly string[] = ["km", "dz", "bo", "th", "lo", "my"];

/** ISO 639-3 / other aliases -> the code the registry uses. */
export const LANG_ALIASES: Readonly<Record<string, string>> = {
  eng: "en",
  eus: "eu",
  baq: "eu",
  swh: "sw",
  swa: "sw",
  som: "so",
  yor: "yo",
  hau: "ha",
  tgl: "tl",
  fil: "tl",
  mar: "mr",
  hin: "hi",
  cym: "cy",
  wel: "cy",
  khm: "km",
  dzo: "dz",
  bod: "bo",
  orm: "om",
  gaz: "om",
  gle: "ga",
  amh: "am",
  kin: "rw",
  zul: "zu",
  xho: "xh",
};

/**
 * Normalises a language code: lower case, region dropped (`en-US` -> `en`), aliases applied.
 * @example
 * ```ts
 * import { normalizeLang } from "xlir";
 * console.assert(normalizeLang("en-US") === "en" && normalizeLang("sw_KE") === "sw");
 * console.assert(normalizeLang(" EUS ") === "eu"); // ISO 639-3 alias of Basque
 * ```
 */
export function normalizeLang(lang: string): string {
  const base = lang.trim().toLowerCase().replace(/_/g, "-").split("-")[0];
  return LANG_ALIASES[base] ?? base;
}

/**
 * Which family `getAnalyzer` uses for a language code.
 * @example
 * ```ts
 * import { analyzerFamily } from "xlir";
 * console.assert(analyzerFamily("en-GB") === "english" && analyzerFamily("eu") === "snowball");
 * console.assert(analyzerFamily("swh") === "ngram" && analyzerFamily("km") === "unsegmented");
 * console.assert(analyzerFamily("qya") === "generic");
 * ```
 */
export function analyzerFamily(lang: string): "english" | "snowball" | "ngram" | "unsegmented" | "generic" {
  const l = normalizeLang(lang);
  if (l === "en") return "english";
  if (SNOWBALL_BY_LANG[l] !== undefined) return "snowball";
  if (NGRAM_LANGS.includes(l)) return "ngram";
  if (UNSEGMENTED_LANGS.includes(l)) return "unsegmented";
  return "generic";
}

/** The analyser for a language (see the module comment); options are validated first. */
/**
 * @example
 * ```ts
 * import { getAnalyzer } from "xlir";
 * const en = getAnalyzer("en");
 * console.assert(en.analyze("The printers are running").join(" ") === "printer run");
 * ```
 */
export function getAnalyzer(lang: string, options?: AnalyzerOptions): Analyzer {
  const o = checkAnalyzerOptions(options);
  const l = normalizeLang(lang);
  switch (analyzerFamily(l)) {
    case "english":
      return englishAnalyzer(o);
    case "snowball":
      return snowballAnalyzer(l, o);
    case "ngram":
      return ngramAnalyzer(l, o);
    case "unsegmented":
      return unsegmentedAnalyzer(l, o);
    default:
      return genericAnalyzer(l, o);
  }
}

/**
 * Rebuilds an analyser from the spec an index manifest stores.
 * @example
 * ```ts
 * import { analyzerFromSpec, getAnalyzer, sameAnalyzer } from "xlir";
 * const a = getAnalyzer("sw", { ngram: 3 });
 * const b = analyzerFromSpec(JSON.parse(JSON.stringify(a.spec))); // as read back from a manifest
 * const text = "Habari za asubuhi";
 * console.assert(sameAnalyzer(a, b) && a.analyze(text).join(" ") === b.analyze(text).join(" "));
 * ```
 */
export function analyzerFromSpec(spec: AnalyzerSpec): Analyzer {
  return getAnalyzer(spec.lang, spec.options);
}

/**
 * Two specs describe the same analysis when their resolved options and family agree.
 * @example
 * ```ts
 * import { getAnalyzer, sameAnalyzer } from "xlir";
 * // options that spell out the defaults of Swahili (ngram family: 4-grams) resolve the same
 * console.assert(sameAnalyzer(getAnalyzer("sw"), getAnalyzer("sw", { ngram: 4, stopwords: "default" })));
 * console.assert(!sameAnalyzer(getAnalyzer("sw"), getAnalyzer("sw", { ngram: 3 })));
 * ```
 */
export function sameAnalyzer(a: Analyzer, b: Analyzer): boolean {
  return (
    a.family === b.family &&
    a.spec.lang === b.spec.lang &&
    JSON.stringify(a.resolved) === JSON.stringify(b.resolved)
  );
}
