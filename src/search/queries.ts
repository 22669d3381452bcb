/** Query files for search: TSV `qid<TAB>text`, one query a line. */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { inputError, XlirError } from "../errors.js";

export interface Query {
  qid: string;
  text: string;
}

/** Reads `qid<TAB>text` lines (blank lines skipped); refuses missing tabs, empty text and duplicate qids. */
export async function readQueriesTsv(file: string): Promise<Query[]> {
  if (!existsSync(file)) throw new XlirError("NOT_FOUND", `${file}: queries file not found`);
  const out: Query[] = [];
  const seen = new Set<string>();
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const raw of rl) {
    line++;
    if (raw.trim() === "") continue;
    const tab = raw.indexOf("\t");
    if (tab <= 0) throw inputError(file, line, "expected 'qid<TAB>query text'");
    const qid = raw.slice(0, tab).trim();
    const text = raw.slice(tab + 1).trim();
    if (/\s/.test(qid)) throw inputError(file, line, `query id '${qid}' contains whitespace`);
    if (text === "") throw inputError(file, line, `query ${qid} has empty text`);
    if (seen.has(qid)) throw inputError(file, line, `duplicate query id '${qid}'`);
    seen.add(qid);
    out.push({ qid, text });
  }
  if (out.length === 0) throw inputError(file, undefined, "no queries");
  return out;
}
