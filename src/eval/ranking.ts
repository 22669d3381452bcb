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
  /** levelCounts[g] = number of judged documents with grade g >= 0. [maxGrade + 1] */
  levelCounts: Int32Array;
}

export function prepareJudged(grades: Map<string, number>): JudgedQuery {
  let max = 0;
  for (const g of grades.values()) if (g > max) max = g;
  const levelCounts = new Int32Array(max + 1);
  for (const g of grades.values()) if (g >= 0) levelCounts[g]++;
  return { grades, levelCounts };
}

/** What every measure reads: the ranked grades of one query and its judgement counts. */
export interface QueryContext {
  /** rels[i] = grade of the document at rank i + 1 (or REL_NONPOOL / REL_UNJUDGED). [>= numRet] */
  rels: Int32Array;
  /** number of ranked documents considered (after the depth cut). */
  numRet: number;
  /** judged documents per grade. [maxGrade + 1] */
  levelCounts: Int32Array;
  /** judged documents with grade >= relevance level. */
  numRel: number;
  /** relevance level (-l). */
  level: number;
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
  constructor(readonly docno: string, readonly index: number) {
    super(`duplicate document '${docno}'`);
  }
}

/**
 * Builds the QueryContext of one query. `n` entries of docnos/scores; `depth` = -M.
 * Throws DuplicateDocError (index = entry index of the later duplicate in the input).
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
  return { rels, numRet, levelCounts: judged.levelCounts, numRel: countRelevant(judged.levelCounts, level), level };
}

/** Context of a judged query absent from the run (trec_eval -c evaluates it as an empty ranking). */
export function emptyQuery(judged: JudgedQuery, level: number): QueryContext {
  return { rels: new Int32Array(0), numRet: 0, levelCounts: judged.levelCounts, numRel: countRelevant(judged.levelCounts, level), level };
}

function countRelevant(levelCounts: Int32Array, level: number): number {
  let s = 0;
  for (let g = Math.max(0, level); g < levelCounts.length; g++) s += levelCounts[g];
  return s;
}
