/**
 * Gain tables of the gain-based families (gain_init.c's setup_gains / get_gain): gain(level) = level
 * unless a `level=gain` parameter pair overrides it; the table is sorted by gain with trec_eval's
 * comparator `(int)(a.gain - b.gain)` under glibc's stable merge sort, so equal (or, for fractional
 * gains, nearly equal) gains keep their insertion order: parameter pairs first, then levels 0, 1, ...
 */
import { numRelLevels, type QueryContext } from "../ranking.js";
import { perQueryFamily, type MeasureFamily, type ParamPair } from "./types.js";

export interface RelGain {
  level: number;
  gain: number;
  /** judged documents at this level. */
  numAt: number;
}

/** Levels are listed one by one (as trec_eval does) up to this many; above, only judged levels and 0. */
const DENSE_LEVELS = 1 << 16;

/** C's `(int) x` on x86-64: truncation, or INT_MIN when out of range or NaN (cvttsd2si). */
export function cInt(x: number): number {
  if (!(x > -2147483649 && x < 2147483648)) return -2147483648;
  return Math.trunc(x);
}

/** trec_eval's valid_int: optional sign then one or more decimal digits. */
function validInt(s: string): boolean {
  return /^[+-]?\d+$/.test(s);
}

/** glibc msort: top-down merge sort, left half n/2, ties (cmp <= 0) taken from the left. */
export function mergeSortC<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  if (a.length <= 1) return a;
  const n1 = a.length >> 1;
  const left = mergeSortC(a.slice(0, n1), cmp);
  const right = mergeSortC(a.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) out.push(cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++]);
  while (i < left.length) out.push(left[i++]);
  while (j < right.length) out.push(right[j++]);
  return out;
}

/** setup_gains: the sorted gain table of one query. */
export function setupGains(q: QueryContext, pairs: readonly ParamPair[]): RelGain[] {
  const gains: RelGain[] = [];
  for (const p of pairs) {
    if (!validInt(p.name)) continue;
    gains.push({ level: Number(p.name), gain: p.value, numAt: 0 });
  }
  const add = (level: number, count: number): void => {
    const found = gains.find((g) => g.level === level);
    if (found) found.numAt = count;
    else gains.push({ level, gain: level, numAt: count });
  };
  const n = numRelLevels(q);
  if (n <= DENSE_LEVELS) {
    let k = 0;
    for (let level = 0; level < n; level++) {
      const count = k < q.levels.length && q.levels[k] === level ? q.levelCounts[k++] : 0;
      add(level, count);
    }
  } else {
    if (q.levels[0] !== 0) add(0, 0);
    for (let k = 0; k < q.levels.length; k++) add(q.levels[k], q.levelCounts[k]);
  }
  return mergeSortC(gains, (a, b) => cInt(a.gain - b.gain));
}

/** get_gain: the gain of the first table entry for `level`, 0 when there is none. */
export function getGain(level: number, gains: readonly RelGain[]): number {
  for (const g of gains) if (g.level === level) return g.gain;
  return 0;
}

/**
 * Walks the ideal ranking of a gain table from the top (the `cur_level` / `num_at_level` loop shared by
 * G, ndcg, ndcg_rel and Rndcg): next() gives the ideal gain at the next rank, 0 once the table is
 * exhausted (or reaches a gain <= 0, where trec_eval's loops stop).
 */
export class IdealWalk {
  private cur: number;
  private numAtLevel = 0;
  gain: number;
  constructor(private readonly gains: readonly RelGain[]) {
    this.cur = gains.length - 1;
    this.gain = this.cur >= 0 ? gains[this.cur].gain : 0;
  }
  next(): number {
    this.numAtLevel++;
    while (this.cur >= 0 && this.numAtLevel > this.gains[this.cur].numAt) {
      this.numAtLevel = 1;
      this.cur--;
      this.gain = this.cur >= 0 ? this.gains[this.cur].gain : 0;
    }
    return this.gain;
  }
}

/**
 * The ranking and its ideal ranking walked side by side, as trec_eval's gain-based measures do: for rank
 * i = 0, 1, ... while either goes on, `step(i, rg, ig)` with rg the gain of the retrieved document at rank
 * i (0 past the numRet retrieved documents) and ig the ideal gain at rank i (IdealWalk.next(); 0 once
 * the ideal walk has stopped at a gain <= 0).
 */
export function walkGains(
  q: QueryContext,
  gains: readonly RelGain[],
  step: (i: number, rg: number, ig: number) => void,
): void {
  const ideal = new IdealWalk(gains);
  for (let i = 0; i < q.numRet || ideal.gain > 0; i++)
    step(i, i < q.numRet ? getGain(q.rels[i], gains) : 0, ideal.gain > 0 ? ideal.next() : 0);
}

/**
 * A real-valued gain-based family (G, ndcg, ...): `level=gain` pairs as parameters, printed per query;
 * `compute` gets the query's gain table (setupGains).
 */
export function gainFamily(
  name: string,
  description: string,
  compute: (q: QueryContext, gains: RelGain[]) => number,
): MeasureFamily {
  return perQueryFamily(name, description, { params: "pairs" }, (q, _k, p) =>
    compute(q, setupGains(q, p.pairs)),
  );
}
