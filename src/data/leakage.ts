/**
 * The leakage filter of the built-in benchmark: a set of forbidden texts (test-page titles and
 * paragraphs in every language loaded) compared by `normKey` (NFC, case-folded, white space and
 * zero-width spaces collapsed). A training pair is kept only if neither side is forbidden.
 */
import { normKey } from "./text.js";

/**
 * @example
 * ```ts
 * import { LeakageFilter } from "xlir";
 * const f = new LeakageFilter(["Print a Document"]);
 * console.assert(f.isForbidden("print a  document") && f.keepPair("Gorde", "Save"));
 * ```
 */
export class LeakageFilter {
  private readonly keys = new Set<string>();
  constructor(forbidden: Iterable<string> = []) {
    for (const s of forbidden) this.add(s);
  }
  add(text: string): void {
    const k = normKey(text);
    if (k !== "") this.keys.add(k);
  }
  get size(): number {
    return this.keys.size;
  }
  /** True when `text` equals (after normalisation) a forbidden text. */
  isForbidden(text: string): boolean {
    return this.keys.has(normKey(text));
  }
  /** True when neither side of the pair is forbidden. */
  keepPair(a: string, b: string): boolean {
    return !this.isForbidden(a) && !this.isForbidden(b);
  }
}

/** Splits pairs into kept and dropped by the filter; order is preserved. */
export function filterPairs<T extends readonly [string, string]>(pairs: Iterable<T>, filter: LeakageFilter): { kept: T[]; dropped: number } {
  const kept: T[] = [];
  let dropped = 0;
  for (const p of pairs) {
    if (filter.keepPair(p[0], p[1])) kept.push(p);
    else dropped++;
  }
  return { kept, dropped };
}
