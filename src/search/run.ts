/** Runs (ranked lists per query) and TREC run files: `qid Q0 docno rank score tag`. */
import { rename, writeFile } from "node:fs/promises";
import type { DocHit } from "../index/types.js";
import { XlirError } from "../errors.js";

/** qid -> hits sorted by score descending, docno descending on ties. */
export type Run = Map<string, DocHit[]>;

/** Formats a run in TREC format (ranks 1-based, in list order). */
export function formatTrecRun(run: Run, tag: string): string {
  if (/\s/.test(tag) || tag === "") throw new XlirError("USAGE", `run tag '${tag}' must be non-empty without whitespace`);
  const lines: string[] = [];
  for (const [qid, hits] of run) {
    hits.forEach((h, i) => lines.push(`${qid} Q0 ${h.docno} ${i + 1} ${h.score.toPrecision(8)} ${tag}`));
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** Writes a TREC run file atomically. */
export async function writeTrecRun(path: string, run: Run, tag: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, formatTrecRun(run, tag));
  await rename(tmp, path);
}
