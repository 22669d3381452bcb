/**
 * The leakage filter of the built-in benchmark: a set of forbidden texts (titles and paragraphs
 * of held-out help pages, dev and test, in English and every language built) and two rules, both
 * on `leakKey` (NFKC, case fold, mnemonics, punctuation and symbols, zero-width spaces):
 *
 * - **exact**: the keys are equal;
 * - **near**: both texts have at least `minTokens` (3) distinct tokens and the token-set Jaccard
 *   similarity J(A, B) = |A ∩ B| / |A ∪ B| is at least `jaccard` (0.9). With 0.9 a text of n
 *   distinct tokens matches a forbidden one that adds or drops one token when n >= 9, and one
 *   with one token replaced when n >= 19 (J = (n-1)/(n+1)).
 *
 * The near rule is a set-similarity join done with prefix filtering (Chaudhuri et al. 2006;
 * Xiao et al. 2008, "PPJoin"): tokens are ordered by increasing frequency among the forbidden
 * texts (rare first, ties by token), and a record of n tokens is indexed under its first
 * p(n) = n - ceil(t·n) + 1 tokens. Two sets with J >= t share a token within both prefixes, so a
 * text is compared only with the forbidden texts found under its own prefix tokens and whose
 * size lies in [t·n, n/t] (J <= min/max). Each candidate is verified by merging sorted token ids.
 * Answers are memoised by text (the same English side recurs across languages).
 */
import { leakKey, leakTokens } from "./text.js";

/** Which rule forbids a text: an equal key, or a near-duplicate (token-set Jaccard). */
export type LeakRule = "exact" | "near";

/** Counts of dropped items per rule (a pair counts once, under "exact" when either side is exactly forbidden). */
export interface LeakCounts {
  exact: number;
  near: number;
}

export interface LeakageOptions {
  /** Token-set Jaccard threshold of the near-duplicate rule (default 0.9). */
  jaccard?: number;
  /** Minimum distinct tokens of both texts for the near-duplicate rule (default 3). */
  minTokens?: number;
}

/** The default near-duplicate rule: token-set Jaccard >= 0.9 between texts of 3+ distinct tokens. */
export const NEAR_DUPLICATE = { jaccard: 0.9, minTokens: 3 } as const;

const EPS = 1e-9;

/** Prefix length for a set of n tokens at threshold t: n - ceil(t·n) + 1, in [1, n]. */
export function prefixLength(n: number, t: number): number {
  return Math.min(n, Math.max(1, n - Math.ceil(t * n - EPS) + 1));
}

interface NearIndex {
  /** Token -> id (ids increase with frequency among forbidden texts; ties by token). */
  ids: Map<string, number>;
  /** Record r's sorted token ids. */
  records: Int32Array[];
  /** Token id -> records indexed under it (records whose prefix holds it). */
  postings: Map<number, number[]>;
}

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
  private readonly jaccard: number;
  private readonly minTokens: number;
  private index: NearIndex | undefined;
  private readonly memo = new Map<string, LeakRule | null>();

  constructor(forbidden: Iterable<string> = [], opts: LeakageOptions = {}) {
    this.jaccard = opts.jaccard ?? NEAR_DUPLICATE.jaccard;
    this.minTokens = opts.minTokens ?? NEAR_DUPLICATE.minTokens;
    if (!(this.jaccard > 0 && this.jaccard <= 1))
      throw new RangeError(`jaccard must be in (0, 1], got ${this.jaccard}`);
    for (const s of forbidden) this.add(s);
  }

  add(text: string): void {
    const k = leakKey(text);
    if (k === "" || this.keys.has(k)) return;
    this.keys.add(k);
    this.index = undefined;
    this.memo.clear();
  }

  /** Number of distinct forbidden keys. */
  get size(): number {
    return this.keys.size;
  }

  /** Why `text` is forbidden, or undefined when it is not. */
  match(text: string): LeakRule | undefined {
    const m = this.memo.get(text);
    if (m !== undefined) return m ?? undefined;
    const k = leakKey(text);
    const r: LeakRule | null = k === "" ? null : this.keys.has(k) ? "exact" : this.isNear(k) ? "near" : null;
    this.memo.set(text, r);
    return r ?? undefined;
  }

  /** True when `text` is forbidden by either rule. */
  isForbidden(text: string): boolean {
    return this.match(text) !== undefined;
  }

  /** The rule that forbids the pair (exact wins over near), or undefined when both sides are free. */
  pairRule(a: string, b: string): LeakRule | undefined {
    const x = this.match(a);
    const y = this.match(b);
    return x === "exact" || y === "exact" ? "exact" : (x ?? y);
  }

  /** True when neither side of the pair is forbidden. */
  keepPair(a: string, b: string): boolean {
    return this.pairRule(a, b) === undefined;
  }

  private build(): NearIndex {
    const sets: string[][] = [];
    const freq = new Map<string, number>();
    for (const k of this.keys) {
      const toks = leakTokens(k);
      if (toks.length < this.minTokens) continue;
      sets.push(toks);
      for (const t of toks) freq.set(t, (freq.get(t) ?? 0) + 1);
    }
    const order = [...freq.keys()].sort(
      (a, b) => freq.get(a)! - freq.get(b)! || (a < b ? -1 : a > b ? 1 : 0),
    );
    const ids = new Map(order.map((t, i) => [t, i]));
    const records: Int32Array[] = [];
    const postings = new Map<number, number[]>();
    for (const toks of sets) {
      const rec = Int32Array.from(toks.map((t) => ids.get(t)!)).sort();
      const r = records.length;
      records.push(rec);
      const p = prefixLength(rec.length, this.jaccard);
      for (let i = 0; i < p; i++) {
        const list = postings.get(rec[i]);
        if (list) list.push(r);
        else postings.set(rec[i], [r]);
      }
    }
    return { ids, records, postings };
  }

  /** The near-duplicate rule for a key that is not exactly forbidden. */
  private isNear(key: string): boolean {
    const toks = leakTokens(key);
    const n = toks.length;
    if (n < this.minTokens) return false;
    const idx = (this.index ??= this.build());
    const t = this.jaccard;
    // Unseen tokens have frequency 0: they come first in the global order and match nothing.
    const seen = Int32Array.from(toks.map((x) => idx.ids.get(x) ?? -1).filter((i) => i >= 0)).sort();
    const unseen = n - seen.length;
    const probe = prefixLength(n, t) - unseen;
    if (probe <= 0) return false;
    const lo = t * n - EPS;
    const hi = n / t + EPS;
    const tried = new Set<number>();
    for (let i = 0; i < probe; i++) {
      for (const r of idx.postings.get(seen[i]) ?? []) {
        if (tried.has(r)) continue;
        tried.add(r);
        const rec = idx.records[r];
        if (rec.length < lo || rec.length > hi) continue;
        let a = 0;
        let b = 0;
        let inter = 0;
        while (a < seen.length && b < rec.length) {
          if (seen[a] === rec[b]) {
            inter++;
            a++;
            b++;
          } else if (seen[a] < rec[b]) a++;
          else b++;
        }
        const union = n + rec.length - inter;
        if (inter >= t * union - EPS) return true;
      }
    }
    return false;
  }
}

/**
 * Splits pairs into kept and dropped by the filter, counting drops by rule; order is preserved.
 * @example
 * ```ts
 * import { filterPairs, LeakageFilter } from "xlir";
 * const filter = new LeakageFilter(["Print the current document"]);
 * const pairs: Array<[string, string]> = [
 *   ["Inprimatu uneko dokumentua", "Print the current document."], // English side exactly forbidden
 *   ["Gorde", "Save"],
 * ];
 * const { kept, dropped } = filterPairs(pairs, filter);
 * console.assert(kept.length === 1 && kept[0][1] === "Save" && dropped.exact === 1 && dropped.near === 0);
 * ```
 */
export function filterPairs<T extends readonly [string, string]>(
  pairs: Iterable<T>,
  filter: LeakageFilter,
): { kept: T[]; dropped: LeakCounts } {
  const kept: T[] = [];
  const dropped: LeakCounts = { exact: 0, near: 0 };
  for (const p of pairs) {
    const r = filter.pairRule(p[0], p[1]);
    if (r) dropped[r]++;
    else kept.push(p);
  }
  return { kept, dropped };
}
