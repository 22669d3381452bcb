/**
 * Evaluation with trec_eval 10.0's numbers. Which queries count:
 * - complete (-c): every qrels query; one missing from the run is evaluated as trec_eval does, on a
 *   one-document stand-in ranking whose document is not judged (see ranking.ts: missingQuery).
 * - not complete: every qrels query must have results; a judged query missing from the run is an
 *   error (NOT_FOUND, exit status 4), as in trec_eval 10.0 ("result qid not found", exit 4).
 * Run queries without judgements are ignored. Summaries sum per-query values in qid byte order.
 */
import { XlirError, inputError } from "../errors.js";
import { parseMeasures, type MeasureSpec } from "./measure-spec.js";
import { meanSummary } from "./measures/types.js";
import {
  DuplicateDocError,
  countAtLeast,
  missingQuery,
  prepareJudged,
  rankQuery,
  type JudgedQuery,
  type QueryContext,
} from "./ranking.js";
import { readRunWithId } from "./run.js";
import { scanRunFile } from "./run-scan.js";
import { sortBytes } from "./strings.js";
import {
  resolveEvalOptions,
  type EvalOptions,
  type EvalResult,
  type Qrels,
  type ResolvedEvalOptions,
  type Run,
} from "./types.js";

/** The context one spec sees: its own depth cut and relevance level on top of the query's. */
function specContext(ctx: QueryContext, spec: MeasureSpec): QueryContext {
  if (spec.depth === undefined && spec.level === undefined) return ctx;
  const level = spec.level ?? ctx.level;
  return {
    ...ctx,
    numRet: spec.depth === undefined ? ctx.numRet : Math.min(ctx.numRet, spec.depth),
    numRel:
      level === ctx.level || ctx.inherited ? ctx.numRel : countAtLeast(ctx.levels, ctx.levelCounts, level),
    level,
  };
}

/**
 * trec_eval's clean-up after evaluating the stand-in ranking of a missing query (-c): values named
 * exactly num_ret, utility, relstring, rbp_resid, or starting with "unj", are reset (so `utility` is,
 * `utility_2,-1,0,0` is not).
 */
function clearedForMissing(name: string): boolean {
  return (
    name === "num_ret" ||
    name === "utility" ||
    name === "relstring" ||
    name === "rbp_resid" ||
    name.startsWith("unj")
  );
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
  private readonly texts = new Map<string, string[]>(); // qid -> [specs] (text measures only)
  private readonly hasText: boolean;

  constructor(
    readonly qrels: Qrels,
    measures: readonly string[],
    options: EvalOptions = {},
  ) {
    this.specs = parseMeasures(measures);
    this.opts = resolveEvalOptions(options);
    this.hasText = this.specs.some((s) => s.family.text === true);
  }

  /** Sets the run tag printed by `runid` (the streaming reader knows it only at the end). */
  setRunId(runId: string): void {
    this.opts.runId = runId;
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
      if (j.levels.length === 0) j = this.inheritLevels(qid, j);
      this.judged.set(qid, j);
    }
    return j;
  }

  private sortedQids: string[] | undefined;

  /**
   * trec_eval evaluates the qrels queries in qid order and, for a query with no grade >= 0, keeps the
   * level counts of the query before it (which may itself have inherited them): reproduced here.
   */
  private inheritLevels(qid: string, own: JudgedQuery): JudgedQuery {
    this.sortedQids ??= sortBytes(this.qrels.keys());
    let i = this.sortedQids.indexOf(qid) - 1;
    for (; i >= 0; i--) {
      const prev = prepareJudged(this.qrels.get(this.sortedQids[i]) as Map<string, number>);
      if (prev.levels.length > 0)
        return { grades: own.grades, levels: prev.levels, levelCounts: prev.levelCounts, inherited: true };
    }
    return own;
  }

  private record(qid: string, ctx: QueryContext): void {
    ctx.numDocs = this.opts.numDocs;
    const out = new Float64Array(this.specs.length);
    const text: string[] = this.hasText ? new Array<string>(this.specs.length).fill("") : [];
    for (let s = 0; s < this.specs.length; s++) {
      const spec = this.specs[s];
      const c = specContext(ctx, spec);
      const cleared = ctx.missing && (clearedForMissing(spec.name) || spec.family.name === "num_ret");
      if (spec.family.text) text[s] = cleared ? "" : (spec.family.computeText?.(c, spec.params) ?? "");
      else out[s] = cleared ? 0 : spec.family.compute(c, spec.cutoff, spec.params);
    }
    this.values.set(qid, out);
    if (this.hasText) this.texts.set(qid, text);
  }

  /** Evaluates one judged query from its n retrieved documents. Throws DuplicateDocError. */
  addQuery(qid: string, docnos: readonly string[], scores: ArrayLike<number>, n: number): void {
    const ctx = rankQuery(docnos, scores, n, this.judgedOf(qid), this.opts.depth, this.opts.relevanceLevel);
    this.record(qid, ctx);
  }

  finish(): EvalResult {
    const { relevanceLevel: level, depth } = this.opts;
    const missing = sortBytes([...this.qrels.keys()].filter((qid) => !this.values.has(qid)));
    if (missing.length > 0 && !this.opts.complete) {
      const more =
        missing.length > 1
          ? ` (and ${missing.length - 1} more judged ${missing.length === 2 ? "query" : "queries"})`
          : "";
      throw new XlirError(
        "NOT_FOUND",
        `judged query '${missing[0]}'${more} has no results in ${this.opts.runName}; trec_eval 10.0 stops here too (exit status 4). Give -c to score such queries 0 and average over every judged query`,
      );
    }
    for (const qid of missing) this.record(qid, missingQuery(this.judgedOf(qid), depth, level));
    const queries = sortBytes(this.values.keys());
    if (queries.length === 0)
      throw new XlirError(
        "BAD_INPUT",
        "no queries with both results and relevance judgements (trec_eval exits here too)",
      );
    const perQuery = new Map<string, Map<string, number>>();
    const mean = new Map<string, number>();
    const text = new Map<string, Map<string, string>>();
    const ctx = { complete: this.opts.complete, qrels: this.qrels, numQueries: queries.length };
    this.specs.forEach((spec, s) => {
      if (spec.family.text) {
        const t = new Map<string, string>();
        if (spec.family.perQuery) for (const qid of queries) t.set(qid, (this.texts.get(qid) as string[])[s]);
        if (spec.family.summary !== false) t.set("all", this.opts.runId);
        text.set(spec.name, t);
        return;
      }
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
      measures: this.specs.map((s) => ({
        name: s.name,
        integer: s.family.integer,
        perQuery: s.family.perQuery,
        summary: s.family.summary !== false,
        text: s.family.text === true,
      })),
      queries,
      text,
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
export function evaluateRun(
  qrels: Qrels,
  run: Run,
  measures: readonly string[],
  options: EvalOptions = {},
): EvalResult {
  const ev = new Evaluation(qrels, measures, options);
  for (const [qid, entries] of run) {
    if (!ev.wants(qid)) continue;
    const docnos = entries.map((e) => e.docno);
    const scores = entries.map((e) => e.score);
    try {
      ev.addQuery(qid, docnos, scores, entries.length);
    } catch (err) {
      if (err instanceof DuplicateDocError) {
        throw new XlirError(
          "BAD_INPUT",
          `run query '${qid}' retrieves document '${err.docno}' twice (trec_eval stops with "duplicate docs" too)`,
        );
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
 * @example
 * ```ts
 * import { evaluateRunFile, parseQrels } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const runFile = join(dir, "run.txt");
 * writeFileSync(runFile, "q1 Q0 d2 1 2.0 mine\nq1 Q0 d1 2 1.0 mine\nq2 Q0 d3 1 5.0 mine\n");
 * const qrels = parseQrels("q1 0 d1 1\nq2 0 d3 1\n");
 * const r = await evaluateRunFile(qrels, runFile, ["map", "runid"]);
 * console.assert(r.mean.get("map") === 0.75 && r.perQuery.get("map")?.get("q1") === 0.5); // AP: 1/2 and 1
 * console.assert(r.text.get("runid")?.get("all") === "mine"); // the tag of the file's last line
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function evaluateRunFile(
  qrels: Qrels,
  runPath: string,
  measures: readonly string[],
  options: EvalOptions = {},
): Promise<EvalResult> {
  try {
    return await streamEvaluate(qrels, runPath, measures, options);
  } catch (err) {
    if (!(err instanceof NonContiguous)) throw err;
  }
  const { run, runId } = await readRunWithId(runPath);
  return evaluateRun(qrels, run, measures, { runName: `run file '${runPath}'`, runId, ...options });
}

async function streamEvaluate(
  qrels: Qrels,
  runPath: string,
  measures: readonly string[],
  options: EvalOptions,
): Promise<EvalResult> {
  const ev = new Evaluation(qrels, measures, { runName: `run file '${runPath}'`, ...options });
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
          throw inputError(
            runPath,
            lines[err.index],
            `query '${cur}' retrieves document '${err.docno}' a second time (trec_eval stops with "duplicate docs" too)`,
          );
        }
        throw err;
      }
    }
    n = 0;
  };
  const runId = await scanRunFile(runPath, {
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
  if (options.runId === undefined) ev.setRunId(runId);
  return ev.finish();
}
