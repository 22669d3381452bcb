/**
 * Evaluation with trec_eval 10.0's numbers. Which queries count:
 * - complete (-c): every qrels query; one missing from the run is an empty ranking (scores 0).
 * - not complete: queries in both the qrels and the run. (trec_eval 10.0 stops with "result qid not
 *   found" when a qrels query is missing from the run without -c; xlir averages over the common queries
 *   as trec_eval 9.x did, so every input trec_eval 10.0 accepts gives the same numbers.)
 * Run queries without judgements are ignored. Summaries sum per-query values in qid byte order.
 */
import { XlirError, inputError } from "../errors.js";
import { parseMeasures, type MeasureSpec } from "./measure-spec.js";
import { meanSummary } from "./measures/types.js";
import { DuplicateDocError, emptyQuery, prepareJudged, rankQuery, type JudgedQuery, type QueryContext } from "./ranking.js";
import { readRun } from "./run.js";
import { scanRunFile } from "./run-scan.js";
import { sortBytes } from "./strings.js";
import { resolveEvalOptions, type EvalOptions, type EvalResult, type Qrels, type ResolvedEvalOptions, type Run } from "./types.js";

function levelCount(levelCounts: Int32Array, level: number): number {
  let s = 0;
  for (let g = Math.max(0, level); g < levelCounts.length; g++) s += levelCounts[g];
  return s;
}

/** The context one spec sees: its own depth cut and relevance level on top of the query's. */
function specContext(ctx: QueryContext, spec: MeasureSpec): QueryContext {
  if (spec.depth === undefined && spec.level === undefined) return ctx;
  const level = spec.level ?? ctx.level;
  return {
    rels: ctx.rels,
    numRet: spec.depth === undefined ? ctx.numRet : Math.min(ctx.numRet, spec.depth),
    levelCounts: ctx.levelCounts,
    numRel: level === ctx.level ? ctx.numRel : levelCount(ctx.levelCounts, level),
    level,
  };
}

/** Accumulates per-query values; shared by the in-memory and the streaming paths. */
/**
 * @example
 * ```ts
 * import { Evaluation, parseQrels } from "xlir";
 * const ev = new Evaluation(parseQrels("q1 0 d1 1\n"), ["P.1"]);
 * console.assert(ev.wants("q1") && !ev.wants("q9"));
 * ```
 */
export class Evaluation {
  readonly specs: MeasureSpec[];
  readonly opts: ResolvedEvalOptions;
  private readonly judged = new Map<string, JudgedQuery>();
  private readonly values = new Map<string, Float64Array>(); // qid -> [specs]

  constructor(readonly qrels: Qrels, measures: readonly string[], options: EvalOptions = {}) {
    this.specs = parseMeasures(measures);
    this.opts = resolveEvalOptions(options);
  }

  /** True when the query is judged (only those are evaluated). */
  wants(qid: string): boolean {
    return this.qrels.has(qid);
  }

  has(qid: string): boolean {
    return this.values.has(qid);
  }

  private judgedOf(qid: string): JudgedQuery {
    let j = this.judged.get(qid);
    if (j === undefined) {
      j = prepareJudged(this.qrels.get(qid) as Map<string, number>);
      this.judged.set(qid, j);
    }
    return j;
  }

  private record(qid: string, ctx: QueryContext): void {
    const out = new Float64Array(this.specs.length);
    for (let s = 0; s < this.specs.length; s++) {
      const spec = this.specs[s];
      out[s] = spec.family.compute(specContext(ctx, spec), spec.cutoff);
    }
    this.values.set(qid, out);
  }

  /** Evaluates one judged query from its n retrieved documents. Throws DuplicateDocError. */
  addQuery(qid: string, docnos: readonly string[], scores: ArrayLike<number>, n: number): void {
    const ctx = rankQuery(docnos, scores, n, this.judgedOf(qid), this.opts.depth, this.opts.relevanceLevel);
    this.record(qid, ctx);
  }

  finish(): EvalResult {
    const level = this.opts.relevanceLevel;
    if (this.opts.complete) {
      for (const qid of this.qrels.keys()) if (!this.values.has(qid)) this.record(qid, emptyQuery(this.judgedOf(qid), level));
    }
    const queries = sortBytes(this.values.keys());
    if (queries.length === 0) throw new XlirError("BAD_INPUT", "no queries with both results and relevance judgements (trec_eval exits here too)");
    const perQuery = new Map<string, Map<string, number>>();
    const mean = new Map<string, number>();
    const ctx = { complete: this.opts.complete, qrels: this.qrels, numQueries: queries.length };
    this.specs.forEach((spec, s) => {
      const m = new Map<string, number>();
      const vals: number[] = [];
      for (const qid of queries) {
        const v = (this.values.get(qid) as Float64Array)[s];
        m.set(qid, v);
        vals.push(v);
      }
      perQuery.set(spec.name, m);
      mean.set(spec.name, (spec.family.summarize ?? meanSummary)(vals, ctx));
    });
    return {
      perQuery,
      mean,
      measures: this.specs.map((s) => ({ name: s.name, integer: s.family.integer, perQuery: s.family.perQuery })),
      queries,
    };
  }
}

/**
 * Evaluates an in-memory run against qrels: per-query values and summaries for each measure name
 * (trec_eval names, nicknames or aliases; see measure-spec.ts). Options default to docs/method.md's
 * (complete = true, i.e. trec_eval -c).
 * @example
 * ```ts
 * import { evaluateRun, parseQrels, parseRun } from "xlir";
 * const qrels = parseQrels("q1 0 d1 1\nq2 0 d3 1\n");
 * const run = parseRun("q1 Q0 d2 1 2.0 x\nq1 Q0 d1 2 1.0 x\nq2 Q0 d3 1 5.0 x\n");
 * const r = evaluateRun(qrels, run, ["recip_rank"]);
 * console.assert(r.mean.get("recip_rank") === 0.75); // (1/2 + 1) / 2
 * ```
 */
export function evaluateRun(qrels: Qrels, run: Run, measures: readonly string[], options: EvalOptions = {}): EvalResult {
  const ev = new Evaluation(qrels, measures, options);
  for (const [qid, entries] of run) {
    if (!ev.wants(qid)) continue;
    const docnos = entries.map((e) => e.docno);
    const scores = entries.map((e) => e.score);
    try {
      ev.addQuery(qid, docnos, scores, entries.length);
    } catch (err) {
      if (err instanceof DuplicateDocError) {
        throw new XlirError("BAD_INPUT", `run query '${qid}' retrieves document '${err.docno}' twice (trec_eval stops with "duplicate docs" too)`);
      }
      throw err;
    }
  }
  return ev.finish();
}

class NonContiguous extends Error {}

/**
 * Evaluates a run file without holding it in memory when its lines are grouped by query (the usual
 * layout): each query is ranked and scored when its block ends. A run whose queries are interleaved
 * is read again into memory. Duplicate documents are reported with their file and line.
 */
export async function evaluateRunFile(qrels: Qrels, runPath: string, measures: readonly string[], options: EvalOptions = {}): Promise<EvalResult> {
  try {
    return await streamEvaluate(qrels, runPath, measures, options);
  } catch (err) {
    if (!(err instanceof NonContiguous)) throw err;
  }
  return evaluateRun(qrels, await readRun(runPath), measures, options);
}

async function streamEvaluate(qrels: Qrels, runPath: string, measures: readonly string[], options: EvalOptions): Promise<EvalResult> {
  const ev = new Evaluation(qrels, measures, options);
  const seen = new Set<string>();
  let cur: string | undefined;
  let wanted = false;
  // Buffers reused across queries (n = entries of the current query).
  const docnos: string[] = [];
  let scores = new Float64Array(1024);
  let lines = new Int32Array(1024);
  let n = 0;
  const flush = (): void => {
    if (cur !== undefined && wanted) {
      try {
        ev.addQuery(cur, docnos, scores, n);
      } catch (err) {
        if (err instanceof DuplicateDocError) {
          throw inputError(runPath, lines[err.index], `query '${cur}' retrieves document '${err.docno}' a second time (trec_eval stops with "duplicate docs" too)`);
        }
        throw err;
      }
    }
    n = 0;
  };
  await scanRunFile(runPath, {
    entry(qid, docno, score, lineNo) {
      if (qid !== cur) {
        flush();
        if (seen.has(qid)) throw new NonContiguous();
        seen.add(qid);
        cur = qid;
        wanted = ev.wants(qid);
      }
      if (wanted) {
        if (n === scores.length) {
          const s2 = new Float64Array(2 * n);
          s2.set(scores);
          scores = s2;
          const l2 = new Int32Array(2 * n);
          l2.set(lines);
          lines = l2;
        }
        docnos[n] = docno;
        scores[n] = score;
        lines[n] = lineNo;
        n++;
      }
    },
  });
  flush();
  return ev.finish();
}
