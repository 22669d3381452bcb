/**
 * Word-by-word query translation with a bilingual dictionary (the classic dictionary-based CLIR
 * baseline, e.g. Ballesteros & Croft 1997).
 *
 * Dictionary file: UTF-8 TSV, `foreign<TAB>english[<TAB>english...]`; a headword may also repeat
 * on several lines (its translations accumulate in file order). Blank lines and lines starting
 * with `#<TAB>` or `# ` are skipped. Headwords may be several words.
 *
 * Translation of a query: NFKC + words (the analyser tokeniser); at each position the longest
 * headword (in words) that matches is used, greedily left to right; matching is case-folded,
 * then (with `lang` whose analyser has a Snowball stemmer) on stems as a fallback. A match emits
 * the first translation (`translations: "first"`) or every distinct one ("all"); a word with no
 * match is kept as it is (`unknown: "keep"`) or dropped ("drop").
 */
import { readFile } from "node:fs/promises";
import { XlirError, inputError } from "../../errors.js";
import { wordTokens } from "../../text/analyzer.js";
import { getAnalyzer } from "../../text/analyzers/registry.js";
import { snowballStemmer } from "../../text/analyzers/resources.js";
import type { QueryTranslator } from "./registry.js";

export interface DictionaryOptions {
  /** Emit the first translation of a headword or all of them. Default "first". */
  translations?: "first" | "all";
  /** Keep or drop words the dictionary lacks. Default "keep". */
  unknown?: "keep" | "drop";
  /** Source language: enables the stem fallback when its analyser has a Snowball stemmer. */
  lang?: string;
}

export interface DictionaryEntry {
  foreign: string;
  english: string[];
}

const fold = (s: string): string => s.normalize("NFKC").toLowerCase();

/**
 * Translates queries word by word with a bilingual dictionary (see the module comment).
 *
 * @example
 * ```ts
 * import { DictionaryTranslator } from "xlir";
 * const entries = [
 *   { foreign: "etxe", english: ["house", "home"] },
 *   { foreign: "etxe zuri", english: ["white house"] },
 *   { foreign: "handi", english: ["big"] },
 * ];
 * const dict = new DictionaryTranslator(entries);
 * // the longest headword wins; unknown words are kept
 * console.assert(dict.translateOne("Etxe zuri handi bat") === "white house big bat");
 * const all = new DictionaryTranslator(entries, { translations: "all", unknown: "drop" });
 * console.assert(all.translateOne("etxe bat") === "house home" && all.size === 3);
 * // with a language, stems match too: "etxeak" (the houses) -> stem "etxe"
 * const eu = new DictionaryTranslator(entries, { lang: "eu", unknown: "drop" });
 * console.assert((await eu.translate(["etxeak"]))[0] === "house");
 * ```
 */
export class DictionaryTranslator implements QueryTranslator {
  readonly name: string;
  readonly options: Required<Omit<DictionaryOptions, "lang">> & { lang?: string };
  private readonly exact = new Map<string, string[]>(); // folded words joined by " " -> translations
  private readonly stemmed = new Map<string, string[]>(); // stems joined by " " -> translations
  private readonly stem: ((w: string) => string) | undefined;
  private readonly maxWords: number;

  constructor(entries: readonly DictionaryEntry[], options: DictionaryOptions = {}, name = "dict") {
    const t = options.translations ?? "first",
      u = options.unknown ?? "keep";
    if (t !== "first" && t !== "all")
      throw new XlirError("CONFIG", `dictionary option translations='${String(t)}': expected first or all`);
    if (u !== "keep" && u !== "drop")
      throw new XlirError("CONFIG", `dictionary option unknown='${String(u)}': expected keep or drop`);
    this.options = { translations: t, unknown: u, lang: options.lang };
    this.name = name;
    const stemmer = options.lang ? getAnalyzer(options.lang).resolved.stemmer : "none";
    this.stem = stemmer === "none" ? undefined : snowballStemmer(stemmer);
    let maxWords = 1;
    for (const e of entries) {
      const words = wordTokens(fold(e.foreign));
      if (words.length === 0 || e.english.length === 0) continue;
      maxWords = Math.max(maxWords, words.length);
      add(this.exact, words.join(" "), e.english);
      if (this.stem) add(this.stemmed, words.map(this.stem).join(" "), e.english);
    }
    this.maxWords = maxWords;
  }

  /** Reads a TSV dictionary (see the module comment); malformed lines are refused with file:line. */
  static async fromTsv(path: string, options: DictionaryOptions = {}): Promise<DictionaryTranslator> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new XlirError("NOT_FOUND", `${path}: cannot read dictionary`, { cause: err });
    }
    const entries: DictionaryEntry[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "" || line.startsWith("#\t") || line.startsWith("# ")) return;
      const cols = line.split("\t").map((c) => c.trim());
      const english = cols.slice(1).filter((c) => c.length > 0);
      if (cols[0].length === 0 || english.length === 0) {
        throw inputError(path, i + 1, "expected 'foreign<TAB>english' with non-empty sides");
      }
      entries.push({ foreign: cols[0], english });
    });
    return new DictionaryTranslator(entries, options, `dict:${path}`);
  }

  /** Number of distinct headwords. */
  get size(): number {
    return this.exact.size;
  }

  /** Translates one query (see the module comment). */
  translateOne(query: string): string {
    const out: string[] = [];
    for (const m of this.matches(query)) {
      if (m.english) out.push(...(this.options.translations === "first" ? m.english.slice(0, 1) : m.english));
      else if (this.options.unknown === "keep") out.push(...m.words);
    }
    return out.join(" ");
  }

  /**
   * Code-switching (dictionary-based augmentation of training text): each dictionary match in
   * `text` is replaced, with probability `rate` (drawn from `random`), by its first English
   * translation; the other words stay. The words come back joined by single spaces (punctuation
   * dropped, as in translation). `switched` counts the replaced matches.
   * @example
   * ```ts
   * import { DictionaryTranslator } from "xlir";
   * const dict = new DictionaryTranslator([{ foreign: "etxe", english: ["house"] }]);
   * console.assert(dict.switchOne("Etxe zuri bat.", 1, Math.random).text === "house zuri bat");
   * console.assert(dict.switchOne("Etxe zuri bat.", 0, Math.random).switched === 0);
   * ```
   */
  switchOne(text: string, rate: number, random: () => number): { text: string; switched: number } {
    const out: string[] = [];
    let switched = 0;
    for (const m of this.matches(text)) {
      if (m.english && random() < rate) {
        out.push(m.english[0]);
        switched++;
      } else out.push(...m.words);
    }
    return { text: out.join(" "), switched };
  }

  /** The words of `text` in order, each run the longest headword matches with its translations. */
  private *matches(text: string): Generator<{ words: string[]; english?: string[] }> {
    const words = wordTokens(text.normalize("NFKC"));
    const folded = words.map((w) => w.toLowerCase());
    const stems = this.stem ? folded.map(this.stem) : undefined;
    let i = 0;
    while (i < words.length) {
      let hit: string[] | undefined;
      let len = Math.min(this.maxWords, words.length - i);
      for (; len >= 1 && !hit; len--) {
        hit = this.exact.get(folded.slice(i, i + len).join(" "));
        if (!hit && stems) hit = this.stemmed.get(stems.slice(i, i + len).join(" "));
        if (hit) break;
      }
      if (hit) {
        yield { words: words.slice(i, i + len), english: hit };
        i += len;
      } else {
        yield { words: [words[i]] };
        i += 1;
      }
    }
  }

  async translate(queries: readonly string[]): Promise<string[]> {
    return queries.map((q) => this.translateOne(q));
  }
}

function add(map: Map<string, string[]>, key: string, english: readonly string[]): void {
  const list = map.get(key) ?? [];
  for (const e of english) if (!list.includes(e)) list.push(e);
  map.set(key, list);
}
