/**
 * Turning a query's retrieved documents into trec_eval's ranked relevance list (form_res_rels.c):
 * sort by score descending, ties by docno descending (strcmp), keep the top `depth`, then look each
 * document up in the qrels: its grade, -1 when it is not in the qrels, -2 when its grade is negative.
 * A docno that occurs twice within the kept documents is an error ("duplicate docs" in trec_eval,
 * which then stops); duplicates below the depth cut are not seen, as in trec_eval.
 */
import { compareBytes } from "./strings.js";

/** Reused across queries (cleared per query) to spare the allocator. */
const SEEN = new Set<string>();

export const REL_NONPOOL = -1;
export const REL_UNJUDGED = -2;

/** Judgements of one query, prepared once. */
export interface JudgedQuery {
  grades: Map<string, number>;
  /** distinct judged grades >= 0, ascending. [L] */
  levels: Int32Array;
  /** levelCounts[i] = number of judged documents with grade levels[i]. [L] */
  levelCounts: Int32Array;
  /**
   * True when the query judges no document with a grade >= 0 and levels/levelCounts are those of the
   * query before it (trec_eval's form_res_rels then keeps the previous query's level counts; only the
   * ideal gains of dcg-type measures can show it, e.g. ideal_dcg). num_rel is still 0.
   */
  inherited?: boolean;
}

/**
 * Counts the judged documents per grade (trec_eval's rel_levels, held sparsely: a grade of 2e9 costs one
 * entry, not 2e9 counters). Grades must be 32-bit integers (the qrels readers check it).
 * @example
 * ```ts
 * import { prepareJudged } from "xlir";
 * const j = prepareJudged(new Map([["d1", 2], ["d2", 0], ["d3", 2], ["d4", -1]]));
 * console.assert(j.levels.join() === "0,2" && j.levelCounts.join() === "1,2"); // negative grades are not counted
 * ```
 */
export function prepareJudged(grades: Map<string, number>): JudgedQuery {
  const counts = new Map<number, number>();
  for (const g of grades.values()) if (g >= 0) counts.set(g, (counts.get(g) ?? 0) + 1);
  const levels = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const levelCounts = Int32Array.from(levels, (g) => counts.get(g) as number);
  return { grades, levels, levelCounts };
}

/** What every measure reads: the ranked grades of one query and its judgement counts. */
export interface QueryContext {
  /** rels[i] = grade of the document at rank i + 1 (or REL_NONPOOL / REL_UNJUDGED). [>= numRet] */
  rels: Int32Array;
  /** number of ranked documents considered (after the depth cut). */
  numRet: number;
  /** distinct judged grades >= 0, ascending. [L] */
  levels: Int32Array;
  /** judged documents per grade, parallel to levels. [L] */
  levelCounts: Int32Array;
  /** judged documents with grade >= relevance level. */
  numRel: number;
  /** relevance level (-l). */
  level: number;
  /**
   * True for a judged query absent from the run under -c: trec_eval then evaluates a one-document
   * ranking ("ceci_nest_pas_un_docno", score 1) and resets some values (evaluate.ts: clearedForMissing).
   */
  missing: boolean;
  /** -N: number of documents in the collection (utility's fourth cell); 0 unless given. */
  numDocs: number;
  /** levels/levelCounts inherited from the previous query (see JudgedQuery.inherited); numRel is 0. */
  inherited?: boolean;
}

/** Judged documents with grade >= level (trec_eval's num_rel for relevance level `level`). */
export function countAtLeast(levels: Int32Array, levelCounts: Int32Array, level: number): number {
  let s = 0;
  for (let i = levels.length - 1; i >= 0 && levels[i] >= level; i--) s += levelCounts[i];
  return s;
}

/** Judged documents with 0 <= grade < level (judged non-relevant). */
export function countBelow(levels: Int32Array, levelCounts: Int32Array, level: number): number {
  let s = 0;
  for (let i = 0; i < levels.length && levels[i] < level; i++) s += levelCounts[i];
  return s;
}

/** trec_eval's num_rel_levels: highest judged grade + 1 (0 when no grade >= 0 is judged). */
export function numRelLevels(q: QueryContext): number {
  return q.levels.length === 0 ? 0 : q.levels[q.levels.length - 1] + 1;
}

/**
 * Indices of the first `n` entries ordered by score descending, ties by docno descending (trec_eval's
 * comp_sim_docno). Returns [n].
 * @example
 * ```ts
 * import { trecRankOrder } from "xlir";
 * // ties are broken by docno descending, as trec_eval does
 * const order = trecRankOrder(["d1", "d2", "d3"], [1, 2, 2], 3);
 * console.assert(order.join() === "2,1,0");
 * ```
 */
export function trecRankOrder(docnos: readonly string[], scores: ArrayLike<number>, n: number): number[] {
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Runs are usually written in rank order already: one linear check then no sort.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const sa = scores[i - 1];
    const sb = scores[i];
    sorted = sa > sb || (sa === sb && compareBytes(docnos[i - 1], docnos[i]) > 0);
  }
  if (sorted) return idx;
  idx.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa > sb) return -1;
    if (sa < sb) return 1;
    return compareBytes(docnos[b], docnos[a]);
  });
  return idx;
}

/** Thrown (and turned into an XlirError by callers that know the file) on a duplicate docno. */
export class DuplicateDocError extends Error {
  constructor(
    readonly docno: string,
    readonly index: number,
  ) {
    super(`duplicate document '${docno}'`);
  }
}

/**
 * Builds the QueryContext of one query. `n` entries of docnos/scores; `depth` = -M.
 * Throws DuplicateDocError (index = entry index of the later duplicate in the input).
 * @example
 * ```ts
 * import { prepareJudged, rankQuery } from "xlir";
 * const judged = prepareJudged(new Map([["d1", 1], ["d2", 0]]));
 * const q = rankQuery(["d3", "d1", "d2"], [0.1, 0.9, 0.5], 3, judged, 1000, 1);
 * console.assert(q.rels.join() === "1,0,-1" && q.numRet === 3 && q.numRel === 1); // d1, d2, then d3 (not judged)
 * console.assert(rankQuery(["d3", "d1", "d2"], [0.1, 0.9, 0.5], 3, judged, 2, 1).numRet === 2); // depth cut
 * ```
 */
export function rankQuery(
  docnos: readonly string[],
  scores: ArrayLike<number>,
  n: number,
  judged: JudgedQuery,
  depth: number,
  level: number,
): QueryContext {
  const order = trecRankOrder(docnos, scores, n);
  const numRet = Math.max(0, Math.min(n, depth));
  const rels = new Int32Array(numRet);
  const seen = SEEN;
  seen.clear();
  for (let r = 0; r < numRet; r++) {
    const d = docnos[order[r]];
    if (seen.has(d)) throw new DuplicateDocError(d, order[r]);
    seen.add(d);
    const g = judged.grades.get(d);
    rels[r] = g === undefined ? REL_NONPOOL : g < 0 ? REL_UNJUDGED : g;
  }
  const numRel = judged.inherited ? 0 : countAtLeast(judged.levels, judged.levelCounts, level);
  return {
    rels,
    numRet,
    levels: judged.levels,
    levelCounts: judged.levelCounts,
    numRel,
    level,
    missing: false,
    numDocs: 0,
    inherited: judged.inherited === true,
  };
}

/** trec_eval's stand-in ranking for a judged query absent from the run under -c (see QueryContext.missing). */
export const MISSING_DOCNO = "ceci_nest_pas_un_docno";

/** Context of a judged query absent from the run (-c): trec_eval's one-document stand-in ranking. */
export function missingQuery(judged: JudgedQuery, depth: number, level: number): QueryContext {
  const ctx = rankQuery([MISSING_DOCNO], [1], 1, judged, depth, level);
  ctx.missing = true;
  return ctx;
}
