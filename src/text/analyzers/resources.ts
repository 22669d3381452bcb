/**
 * Language resources from npm packages, loaded lazily and cached:
 * - stopword lists from `stopwords-iso` (keyed by ISO 639-1 code);
 * - stemmers from `snowball-stemmers` (Snowball algorithms compiled to JavaScript);
 * - Lucene's 33-word English stopword list (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), the list
 *   Anserini's default English analyser uses.
 */
import { createRequire } from "node:module";
import { XlirError } from "../../errors.js";

const require = createRequire(import.meta.url);

interface SnowballStemmer {
  stem(word: string): string;
}
interface SnowballModule {
  newStemmer(algorithm: string): SnowballStemmer;
  algorithms(): string[];
}

let snowball: SnowballModule | undefined;
function snowballModule(): SnowballModule {
  snowball ??= require("snowball-stemmers") as SnowballModule;
  return snowball;
}

/**
 * Snowball algorithm names available (e.g. "english" = Porter2, "porter", "basque", "irish").
 * @example
 * ```ts
 * import { snowballAlgorithms } from "xlir";
 * const names = snowballAlgorithms();
 * console.assert(["english", "porter", "basque", "irish"].every((a) => names.includes(a)));
 * ```
 */
export function snowballAlgorithms(): string[] {
  return snowballModule().algorithms();
}

/** ISO 639-1 code -> Snowball algorithm, for the languages `snowball-stemmers` 0.6 ships. */
export const SNOWBALL_BY_LANG: Readonly<Record<string, string>> = {
  ar: "arabic",
  hy: "armenian",
  eu: "basque",
  ca: "catalan",
  cs: "czech",
  da: "danish",
  nl: "dutch",
  en: "english",
  fi: "finnish",
  fr: "french",
  de: "german",
  hu: "hungarian",
  it: "italian",
  ga: "irish",
  no: "norwegian",
  nb: "norwegian",
  nn: "norwegian",
  pt: "portuguese",
  ro: "romanian",
  ru: "russian",
  es: "spanish",
  sl: "slovene",
  sv: "swedish",
  ta: "tamil",
  tr: "turkish",
};

const stemCaches = new Map<string, (word: string) => string>();

/**
 * A memoised stemming function for a Snowball algorithm. Snowball stemmers keep state between
 * calls, so one instance per algorithm is used synchronously; results are cached per word.
 * @example
 * ```ts
 * import { snowballStemmer, XlirError } from "xlir";
 * const stem = snowballStemmer("english");
 * console.assert(stem("running") === "run" && stem("generously") === "generous");
 * console.assert(snowballStemmer("english") === stem); // one memoised function per algorithm
 * let code = "";
 * try {
 *   snowballStemmer("klingon");
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "CONFIG");
 * ```
 */
export function snowballStemmer(algorithm: string): (word: string) => string {
  const cached = stemCaches.get(algorithm);
  if (cached) return cached;
  const known = snowballAlgorithms();
  if (!known.includes(algorithm)) {
    throw new XlirError(
      "CONFIG",
      `stemmer '${algorithm}' is unknown; snowball-stemmers has: none, ${known.join(", ")}`,
    );
  }
  const stemmer = snowballModule().newStemmer(algorithm);
  const memo = new Map<string, string>();
  const fn = (word: string): string => {
    let s = memo.get(word);
    if (s === undefined) {
      s = stemmer.stem(word);
      if (memo.size < 1_000_000) memo.set(word, s);
    }
    return s;
  };
  stemCaches.set(algorithm, fn);
  return fn;
}

let isoLists: Record<string, string[]> | undefined;

/**
 * The `stopwords-iso` list for a language, or undefined when the package has none.
 * @example
 * ```ts
 * import { isoStopwords } from "xlir";
 * const sw = isoStopwords("sw");
 * console.assert(sw !== undefined && sw.has("na") && !sw.has("habari"));
 * console.assert(isoStopwords("om") === undefined); // Oromo: no list in the package
 * ```
 */
export function isoStopwords(lang: string): ReadonlySet<string> | undefined {
  isoLists ??= require("stopwords-iso") as Record<string, string[]>;
  const list = isoLists[lang];
  return list ? new Set(list.map((w) => w.normalize("NFKC").toLowerCase())) : undefined;
}

/** Lucene's default English stopwords (33 words), as used by Anserini's default analyser. */
export const LUCENE_ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "will",
  "with",
]);

/** Resolves a stopwords option for a language into a set (empty for "none"). */
export function stopwordSet(lang: string, choice: string): ReadonlySet<string> {
  if (choice === "none") return new Set();
  if (choice === "lucene") {
    if (lang !== "en")
      throw new XlirError("CONFIG", `stopwords 'lucene' is the English list; language is '${lang}'`);
    return LUCENE_ENGLISH_STOPWORDS;
  }
  if (choice === "iso") {
    const s = isoStopwords(lang);
    if (!s) throw new XlirError("CONFIG", `stopwords-iso has no list for '${lang}'; use stopwords: "none"`);
    return s;
  }
  throw new XlirError("CONFIG", `stopwords '${choice}': expected none, iso or lucene`);
}
