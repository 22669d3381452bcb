/**
 * TREC qrels: `qid iter docno grade` (exactly 4 whitespace-separated fields; trec_eval rejects other
 * counts too). Lines starting with `#` are comments (trec_eval 10.0); blank lines are skipped (trec_eval
 * calls them malformed). A grade must be an integer (trec_eval's atol would read "x" as 0). A repeated
 * (qid, docno) is an error here at read time; trec_eval 10.0 fails on it too ("duplicate docs") when it
 * evaluates that query, which with or without -c is every query of the qrels. Grades beyond 32 bits are
 * refused with file and line.
 */
import { writeFileAtomic } from "../data/atomic.js";
import { inputError } from "../errors.js";
import { forEachLine, splitFields, isBlank } from "./lines.js";
import { parseIntToken } from "./numbers.js";
import { sortBytes } from "./strings.js";
import type { Qrels } from "./types.js";

/** Relevance grades are 32-bit integers (trec_eval: exit status 4 on 99999999999999999999999, out of memory on 3000000000). */
export const MIN_GRADE = -2147483648;
export const MAX_GRADE = 2147483647;

/** Incremental qrels builder shared by the file and string readers. */
function qrelsBuilder(file: string): { add: (line: string, lineNo: number) => void; qrels: Qrels } {
  const qrels: Qrels = new Map();
  const lineOf = new Map<string, Map<string, number>>();
  const f: string[] = [];
  const add = (line: string, lineNo: number): void => {
    if (line.charCodeAt(0) === 35 || isBlank(line)) return; // '#'
    const n = splitFields(line, f);
    if (n !== 4) throw inputError(file, lineNo, `expected 4 fields (qid iter docno relevance), got ${n}`);
    const [qid, , docno, gradeTok] = f;
    const grade = parseIntToken(gradeTok);
    if (Number.isNaN(grade))
      throw inputError(file, lineNo, `expected an integer relevance grade in field 4, got '${gradeTok}'`);
    if (grade < MIN_GRADE || grade > MAX_GRADE) {
      throw inputError(
        file,
        lineNo,
        `relevance grade '${gradeTok}' is outside the 32-bit integer range [${MIN_GRADE}, ${MAX_GRADE}] (trec_eval 10.0 keeps one counter per grade level and fails on such grades too)`,
      );
    }
    let q = qrels.get(qid);
    let ql = lineOf.get(qid);
    if (q === undefined || ql === undefined) {
      q = new Map();
      ql = new Map();
      qrels.set(qid, q);
      lineOf.set(qid, ql);
    }
    const prev = ql.get(docno);
    if (prev !== undefined) {
      throw inputError(
        file,
        lineNo,
        `duplicate judgement for query '${qid}', document '${docno}' (first at line ${prev}); trec_eval stops with "duplicate docs" here too`,
      );
    }
    q.set(docno, grade);
    ql.set(docno, lineNo);
  };
  return { add, qrels };
}

/**
 * Reads a qrels file (plain or gzip) into qid -> docno -> grade.
 * @example
 * ```ts
 * import { readQrels } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "qrels.txt");
 * writeFileSync(file, "# comment\nq1 0 d1 2\nq1 0 d2 0\nq2 0 d7 1\n");
 * const qrels = await readQrels(file);
 * console.assert(qrels.size === 2 && qrels.get("q1")?.get("d1") === 2 && qrels.get("q1")?.get("d2") === 0);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readQrels(path: string): Promise<Qrels> {
  const b = qrelsBuilder(path);
  await forEachLine(path, "qrels", b.add);
  return b.qrels;
}

/** Parses qrels text (tests, in-memory data); `name` is used in error messages. */
/**
 * @example
 * ```ts
 * import { parseQrels } from "xlir";
 * const qrels = parseQrels("q1 0 d1 2\nq1 0 d2 0\n");
 * console.assert(qrels.get("q1")?.get("d1") === 2 && qrels.get("q1")?.size === 2);
 * ```
 */
export function parseQrels(text: string, name = "<qrels>"): Qrels {
  const b = qrelsBuilder(name);
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((l, i) => b.add(l.endsWith("\r") ? l.slice(0, -1) : l, i + 1));
  return b.qrels;
}

/** Qrels as TREC text, queries and documents in byte order. */
/**
 * @example
 * ```ts
 * import { formatQrels } from "xlir";
 * const text = formatQrels(new Map([["q1", new Map([["d1", 1]])]]));
 * console.assert(text === "q1 0 d1 1\n");
 * ```
 */
export function formatQrels(qrels: Qrels): string {
  const out: string[] = [];
  for (const qid of sortBytes(qrels.keys())) {
    const q = qrels.get(qid)!;
    for (const docno of sortBytes(q.keys())) out.push(`${qid} 0 ${docno} ${q.get(docno)}\n`);
  }
  return out.join("");
}

/**
 * Writes qrels (gzip when the path ends in .gz).
 * @example
 * ```ts
 * import { parseQrels, readQrels, writeQrels } from "xlir";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const qrels = parseQrels("q2 0 d1 1\nq1 0 d9 0\nq1 0 d3 2\n");
 * await writeQrels(join(dir, "qrels.txt"), qrels);
 * console.assert(readFileSync(join(dir, "qrels.txt"), "utf8") === "q1 0 d3 2\nq1 0 d9 0\nq2 0 d1 1\n"); // byte order
 * await writeQrels(join(dir, "qrels.txt.gz"), qrels);
 * console.assert((await readQrels(join(dir, "qrels.txt.gz"))).get("q1")?.get("d3") === 2);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeQrels(path: string, qrels: Qrels): Promise<void> {
  // atomic (a temporary sibling renamed into place); `.gz` paths are gzipped
  await writeFileAtomic(path, formatQrels(qrels));
}
