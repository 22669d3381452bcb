/**
 * Bilingual dictionaries (foreign<TAB>english, lower-cased): FreeDict entries where a FreeDict
 * package exists, plus single-word pairs from UI strings and help titles (both sides one word),
 * plus single-word CLDR names. Pairs whose side is forbidden by the leakage filter are dropped.
 */
import type { LeakageFilter } from "./leakage.js";
import { byCodeUnit, tsvField } from "./text.js";

/** TSV lines `foreign<TAB>english` for pairs (fields made tab-free). */
export function pairLines(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  return pairs.map(([f, e]) => `${tsvField(f)}\t${tsvField(e)}`);
}

const ONE_WORD = /^[\p{L}\p{M}\p{N}'’-]+$/u;

/** True when `s` is one word: letters, marks, digits, apostrophes or hyphens only (Khmer words contain no spaces). */
export function isOneWord(s: string): boolean {
  return ONE_WORD.test(s) && !/^\d+$/.test(s);
}

export function dictEntries(
  src: { freedict: Array<[string, string]>; ui: Array<[string, string]>; names: Array<[string, string]> },
  filter: LeakageFilter,
): { lines: string[]; bySource: Record<string, number> } {
  const bySource: Record<string, number> = {};
  const all = new Set<string>();
  const add = (name: string, pairs: Array<[string, string]>, oneWordOnly: boolean) => {
    const set = new Set<string>();
    for (const [f0, e0] of pairs) {
      const f = f0.toLowerCase().replace(/[.:…]+$/, "");
      const e = e0.toLowerCase().replace(/[.:…]+$/, "");
      if (f === "" || e === "" || f === e) continue;
      if (oneWordOnly && !(isOneWord(f) && isOneWord(e))) continue;
      if (!filter.keepPair(f, e)) continue;
      set.add(`${tsvField(f)}\t${tsvField(e)}`);
    }
    if (set.size) bySource[name] = set.size;
    for (const l of set) all.add(l);
  };
  add("freedict", src.freedict, false);
  add("ui-single-words", src.ui, true);
  add("cldr-names", src.names, true);
  return { lines: [...all].sort(byCodeUnit), bySource };
}
