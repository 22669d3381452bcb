/**
 * Bilingual dictionaries (foreign<TAB>english, lower-cased): FreeDict entries where a FreeDict
 * package exists, plus single-word pairs from UI strings and help titles (both sides one word),
 * plus single-word CLDR names. Pairs whose side is forbidden by the leakage filter are dropped.
 * The reverse dictionary (english<TAB>foreign, for translating English queries word by word) is
 * the same entries with the columns swapped, sorted by the English side.
 */
import type { LeakageFilter, LeakCounts } from "./leakage.js";
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
): { lines: string[]; reverse: string[]; bySource: Record<string, number>; dropped: LeakCounts } {
  const bySource: Record<string, number> = {};
  const dropped: LeakCounts = { exact: 0, near: 0 };
  const all = new Set<string>();
  const add = (name: string, pairs: Array<[string, string]>, oneWordOnly: boolean) => {
    const set = new Set<string>();
    for (const [f0, e0] of pairs) {
      const f = f0.toLowerCase().replace(/[.:…]+$/, "");
      const e = e0.toLowerCase().replace(/[.:…]+$/, "");
      if (f === "" || e === "" || f === e) continue;
      if (oneWordOnly && !(isOneWord(f) && isOneWord(e))) continue;
      const r = filter.pairRule(f, e);
      if (r) {
        dropped[r]++;
        continue;
      }
      set.add(`${tsvField(f)}\t${tsvField(e)}`);
    }
    if (set.size) bySource[name] = set.size;
    for (const l of set) all.add(l);
  };
  add("freedict", src.freedict, false);
  add("ui-single-words", src.ui, true);
  add("cldr-names", src.names, true);
  const lines = [...all].sort(byCodeUnit);
  const reverse = lines.map((l) => l.split("\t").reverse().join("\t")).sort(byCodeUnit);
  return { lines, reverse, bySource, dropped };
}
