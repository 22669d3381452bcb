/** Bounded top-k selection and the ranking order of the project (score desc, docno desc on ties). */
import type { DocHit } from "./types.js";

/**
 * Keeps the k largest (score, id) pairs with a binary min-heap: O(n log k).
 * Ties on score are broken by the larger `rank` value (callers pass the docno order), so the
 * kept set equals the first k of the full ranking.
 *
 * @example
 * ```ts
 * import { TopK } from "xlir";
 * const top = new TopK(2);
 * [0.1, 0.9, 0.5, 0.9].forEach((score, id) => top.push(id, score));
 * // the two 0.9s are kept; on the tie the larger id (rank) comes first
 * console.assert(JSON.stringify(top.sorted().map((h) => h.id)) === "[3,1]" && top.min === 0.9);
 * ```
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly ids: Int32Array;
  private readonly ranks: Int32Array;
  size = 0;
  constructor(
    readonly k: number,
    private readonly tieRank: Int32Array | null = null,
  ) {
    this.scores = new Float64Array(k);
    this.ids = new Int32Array(k);
    this.ranks = new Int32Array(k);
  }

  /** a is "less" than b: lower score, or equal score and lower tie rank. */
  private less(sa: number, ra: number, sb: number, rb: number): boolean {
    return sa < sb || (sa === sb && ra < rb);
  }

  /** The current threshold (smallest kept score), -Infinity while not full. */
  get min(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  push(id: number, score: number): void {
    if (this.k === 0) return;
    const r = this.tieRank ? this.tieRank[id] : id;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.less(score, r, this.scores[p], this.ranks[p])) break;
        this.scores[i] = this.scores[p];
        this.ids[i] = this.ids[p];
        this.ranks[i] = this.ranks[p];
        i = p;
      }
      this.scores[i] = score;
      this.ids[i] = id;
      this.ranks[i] = r;
      return;
    }
    if (!this.less(this.scores[0], this.ranks[0], score, r)) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && this.less(this.scores[l + 1], this.ranks[l + 1], this.scores[l], this.ranks[l]))
        c = l + 1;
      if (!this.less(this.scores[c], this.ranks[c], score, r)) break;
      this.scores[i] = this.scores[c];
      this.ids[i] = this.ids[c];
      this.ranks[i] = this.ranks[c];
      i = c;
    }
    this.scores[i] = score;
    this.ids[i] = id;
    this.ranks[i] = r;
  }

  /** Kept entries, best first. */
  sorted(): Array<{ id: number; score: number }> {
    const out: Array<{ id: number; score: number; r: number }> = [];
    for (let i = 0; i < this.size; i++)
      out.push({ id: this.ids[i], score: this.scores[i], r: this.ranks[i] });
    out.sort((a, b) => b.score - a.score || b.r - a.r);
    return out.map(({ id, score }) => ({ id, score }));
  }
}

/**
 * Compares two hits in ranking order: score descending, then docno descending (trec_eval's rule).
 *
 * @example
 * ```ts
 * import { compareHits } from "xlir";
 * const hits = [
 *   { docno: "d1", score: 1 },
 *   { docno: "d3", score: 2 },
 *   { docno: "d2", score: 1 },
 * ].sort(compareHits);
 * console.assert(hits.map((h) => h.docno).join(" ") === "d3 d2 d1");
 * ```
 */
export function compareHits(a: DocHit, b: DocHit): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.docno < b.docno ? 1 : a.docno > b.docno ? -1 : 0;
}

/**
 * For every document id, its position in ascending docno order: used as the tie rank so that
 * equal scores keep the larger docno, matching trec_eval.  docnos: [N] -> Int32Array [N].
 *
 * @example
 * ```ts
 * import { docnoRanks } from "xlir";
 * // "a" sorts first (0), "b" second (1), "c" third (2)
 * console.assert(Array.from(docnoRanks(["b", "a", "c"])).join() === "1,0,2");
 * ```
 */
export function docnoRanks(docnos: readonly string[]): Int32Array {
  const order = docnos
    .map((_, i) => i)
    .sort((a, b) => (docnos[a] < docnos[b] ? -1 : docnos[a] > docnos[b] ? 1 : 0));
  const ranks = new Int32Array(docnos.length);
  order.forEach((id, pos) => (ranks[id] = pos));
  return ranks;
}
