/**
 * Fusing runs query by query (ranx's fuse): every run must cover the same queries (ranx reads each
 * run's results for the first run's queries); each query's lists are ranked (trec_eval's rule),
 * normalised per query and run (score-based methods), then combined. The fused run holds every
 * document any run retrieved for the query.
 */
import { XlirError } from "../../errors.js";
import { trecRankOrder } from "../ranking.js";
import { sortBytes } from "../strings.js";
import type { Run, RunEntry } from "../types.js";
import { NORMALIZATIONS } from "./normalize.js";
import { FUSION_METHODS } from "./registry.js";
import type { FuseOptions, FusionMethodName, NormalizationName, RankedList } from "./types.js";

export const FUSE_DEFAULTS = { k: 60, norm: "minmax" as NormalizationName };

function ranked(entries: readonly RunEntry[], run: string, qid: string): RankedList {
  const order = trecRankOrder(
    entries.map((e) => e.docno),
    entries.map((e) => e.score),
    entries.length,
  );
  const seen = new Set<string>();
  return order.map((i) => {
    const e = entries[i];
    if (seen.has(e.docno))
      throw new XlirError(
        "BAD_INPUT",
        `${run}: query '${qid}' retrieves document '${e.docno}' twice; fusion needs one score per document`,
      );
    seen.add(e.docno);
    return e;
  });
}

/** Checks that the runs cover the same queries; names the first differences. */
function checkQuerySets(runs: readonly Run[], names: readonly string[]): void {
  const first = runs[0];
  for (let r = 1; r < runs.length; r++) {
    const onlyFirst = sortBytes([...first.keys()].filter((q) => !runs[r].has(q)));
    const onlyThis = sortBytes([...runs[r].keys()].filter((q) => !first.has(q)));
    if (onlyFirst.length === 0 && onlyThis.length === 0) continue;
    const list = (qs: string[]): string =>
      qs
        .slice(0, 5)
        .map((q) => `'${q}'`)
        .join(", ") + (qs.length > 5 ? `, ... (${qs.length} in all)` : "");
    const parts: string[] = [];
    if (onlyFirst.length > 0) parts.push(`${list(onlyFirst)} only in ${names[0]}`);
    if (onlyThis.length > 0) parts.push(`${list(onlyThis)} only in ${names[r]}`);
    throw new XlirError("MISMATCH", `runs to fuse must have the same queries: ${parts.join("; ")}`);
  }
}

/**
 * Fuses runs with RRF, CombSUM or CombMNZ (ranx's definitions); see FuseOptions for the defaults.
 * @example
 * ```ts
 * import { fuseRuns, parseRun, XlirError } from "xlir";
 * const a = parseRun("q1 Q0 d1 1 2.0 a\nq1 Q0 d2 2 1.0 a\n");
 * const b = parseRun("q1 Q0 d2 1 5.0 b\nq1 Q0 d3 2 4.0 b\n");
 * const fused = new Map(fuseRuns([a, b], { method: "rrf" }).get("q1")!.map((e) => [e.docno, e.score]));
 * // RRF, k = 60: d2 is 2nd in a and 1st in b
 * console.assert(fused.get("d2") === 1 / 62 + 1 / 61 && fused.get("d1") === 1 / 61 && fused.get("d3") === 1 / 62);
 * let err: unknown;
 * try {
 *   fuseRuns([a, parseRun("q9 Q0 d1 1 1 c\n")], { method: "rrf" });
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "MISMATCH"); // the runs must cover the same queries
 * ```
 */
export function fuseRuns(runs: readonly Run[], options: FuseOptions): Run {
  const method = FUSION_METHODS[options.method as FusionMethodName];
  if (method === undefined)
    throw new XlirError(
      "USAGE",
      `unknown fusion method '${options.method}'; known: ${Object.keys(FUSION_METHODS).join(", ")}`,
    );
  const normName = (options.norm ?? FUSE_DEFAULTS.norm) as NormalizationName;
  const normalize = NORMALIZATIONS[normName];
  if (normalize === undefined)
    throw new XlirError(
      "USAGE",
      `unknown normalisation '${options.norm}'; known: ${Object.keys(NORMALIZATIONS).join(", ")}`,
    );
  const k = options.k ?? FUSE_DEFAULTS.k;
  if (!Number.isFinite(k) || k < 0) throw new XlirError("USAGE", `RRF's k must be a number >= 0, got ${k}`);
  if (runs.length < 2) throw new XlirError("USAGE", `fusion needs at least two runs, got ${runs.length}`);
  const names = runs.map((_r, i) => options.names?.[i] ?? `run${i + 1}`);
  checkQuerySets(runs, names);
  const out: Run = new Map();
  for (const qid of sortBytes(runs[0].keys())) {
    const lists = runs.map((run, r) => {
      const list = ranked(run.get(qid) as RunEntry[], names[r], qid);
      return method.usesScores && list.length > 0 ? normalize(list) : list;
    });
    const fused = method.fuse(lists, k);
    out.set(
      qid,
      [...fused].map(([docno, score]) => ({ docno, score })),
    );
  }
  return out;
}
