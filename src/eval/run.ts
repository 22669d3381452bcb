/**
 * TREC runs: `qid iter docno rank score tag` (6 fields; more are ignored as trec_eval does, fewer are an
 * error). Blank lines and lines whose first non-blank character is `#` are skipped (trec_eval 10.0).
 * The rank field is ignored; the ranking comes from the score (see ranking.ts). The score must be a
 * decimal number: trec_eval's atof would silently read "abc" as 0, xlir stops with file and line.
 * Duplicate (qid, docno) pairs are accepted when reading and rejected when the query is evaluated,
 * as trec_eval does (see ranking.ts).
 */
import { inputError, XlirError } from "../errors.js";
import { forEachLine, splitFields, firstNonSpace } from "./lines.js";
import { parseDecimal } from "./numbers.js";
import { trecRankOrder } from "./ranking.js";
import { sortBytes } from "./strings.js";
import type { Run, RunEntry } from "./types.js";
import { writeFileAtomic } from "../data/atomic.js";

/** One parsed run line. */
export interface RunLine {
  qid: string;
  docno: string;
  score: number;
  /** field 6, the run tag. */
  tag: string;
}

/** Parses one run line into `out`; returns false for blank and comment lines. Throws on malformed lines. */
export function parseRunLine(
  file: string,
  line: string,
  lineNo: number,
  fields: string[],
  out: RunLine,
): boolean {
  const c = firstNonSpace(line);
  if (c < 0 || c === 35) return false;
  const n = splitFields(line, fields);
  if (n < 6) throw inputError(file, lineNo, `expected 6 fields (qid iter docno rank score tag), got ${n}`);
  const score = parseDecimal(fields[4]);
  if (Number.isNaN(score))
    throw inputError(file, lineNo, `expected a numeric score in field 5, got '${fields[4]}'`);
  out.qid = fields[0];
  out.docno = fields[2];
  out.score = score;
  out.tag = fields[5];
  return true;
}

function runBuilder(file: string): { add: (line: string, lineNo: number) => void; run: Run; rl: RunLine } {
  const run: Run = new Map();
  const fields: string[] = [];
  const rl: RunLine = { qid: "", docno: "", score: 0, tag: "" };
  let lastQid = "";
  let last: RunEntry[] | undefined;
  const add = (line: string, lineNo: number): void => {
    if (!parseRunLine(file, line, lineNo, fields, rl)) return;
    if (last === undefined || rl.qid !== lastQid) {
      last = run.get(rl.qid);
      if (last === undefined) {
        last = [];
        run.set(rl.qid, last);
      }
      lastQid = rl.qid;
    }
    last.push({ docno: rl.docno, score: rl.score });
  };
  return { add, run, rl };
}

/**
 * Reads a run file (plain or gzip) into qid -> entries (file order).
 * @example
 * ```ts
 * import { readRun } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "run.txt");
 * writeFileSync(file, "q1 Q0 d1 1 0.9 sys\nq1 Q0 d2 2 0.5 sys\nq2 Q0 d1 1 3 sys\n");
 * const run = await readRun(file);
 * console.assert(run.size === 2 && run.get("q1")?.[1].docno === "d2" && run.get("q2")?.[0].score === 3);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readRun(path: string): Promise<Run> {
  return (await readRunWithId(path)).run;
}

/**
 * Reads a run file and its tag (field 6 of the last result line, trec_eval's runid; "" when empty).
 * @example
 * ```ts
 * import { readRunWithId } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "run.txt");
 * writeFileSync(file, "q1 Q0 d1 1 0.9 first\nq1 Q0 d2 2 0.5 last\n");
 * const { run, runId } = await readRunWithId(file);
 * console.assert(runId === "last" && run.get("q1")?.length === 2);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readRunWithId(path: string): Promise<{ run: Run; runId: string }> {
  const b = runBuilder(path);
  await forEachLine(path, "run", b.add);
  return { run: b.run, runId: b.rl.tag };
}

/** Parses run text; `name` is used in error messages. */
/**
 * @example
 * ```ts
 * import { parseRun } from "xlir";
 * const run = parseRun("q1 Q0 d1 1 0.9 sys\nq1 Q0 d2 2 0.5 sys\n");
 * console.assert(run.get("q1")?.length === 2 && run.get("q1")?.[0].docno === "d1");
 * ```
 */
export function parseRun(text: string, name = "<run>"): Run {
  const b = runBuilder(name);
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((l, i) => b.add(l.endsWith("\r") ? l.slice(0, -1) : l, i + 1));
  return b.run;
}

/**
 * A run as TREC text `qid Q0 docno rank score tag`: queries in byte order, each ranked by trec_eval's
 * rule (score descending, docno descending on ties), ranks 1..n. Scores are printed exactly
 * (`String(score)`), or with `digits` significant digits (`toPrecision`) when given. The tag must be
 * non-empty without whitespace (it is a field of the line).
 * @example
 * ```ts
 * import { formatRun } from "xlir";
 * const text = formatRun(new Map([["q1", [{ docno: "d1", score: 2 }, { docno: "d2", score: 1 }]]]), "mine");
 * console.assert(text.split("\n")[0].startsWith("q1 Q0 d1 1 "));
 * ```
 */
export function formatRun(run: Run, tag = "xlir", digits?: number): string {
  if (tag === "" || /\s/.test(tag))
    throw new XlirError("USAGE", `run tag '${tag}' must be non-empty without whitespace`);
  const out: string[] = [];
  for (const qid of sortBytes(run.keys())) {
    const entries = run.get(qid)!;
    const order = trecRankOrder(
      entries.map((e) => e.docno),
      entries.map((e) => e.score),
      entries.length,
    );
    for (let r = 0; r < order.length; r++) {
      const e = entries[order[r]];
      const score = digits === undefined ? String(e.score) : e.score.toPrecision(digits);
      out.push(`${qid} Q0 ${e.docno} ${r + 1} ${score} ${tag}\n`);
    }
  }
  return out.join("");
}

/**
 * Writes a run (gzip when the path ends in .gz) atomically: temp file in the same folder, then renamed.
 * @example
 * ```ts
 * import { readRunWithId, writeRun } from "xlir";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "run.txt");
 * await writeRun(file, new Map([["q1", [{ docno: "d1", score: 0.5 }, { docno: "d2", score: 0.75 }]]]), "mine");
 * console.assert(readFileSync(file, "utf8") === "q1 Q0 d2 1 0.75 mine\nq1 Q0 d1 2 0.5 mine\n"); // ranked by score
 * const back = await readRunWithId(file);
 * console.assert(back.runId === "mine" && back.run.get("q1")?.[0].docno === "d2");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeRun(path: string, run: Run, tag = "xlir", digits?: number): Promise<void> {
  await writeFileAtomic(path, formatRun(run, tag, digits));
}
