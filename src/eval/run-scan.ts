/**
 * Fast run-file scanner for evaluation: walks decoded chunks character by character, creates a string
 * only for a new qid and for each docno, and parses scores in place. Same rules and messages as
 * run.ts (6 fields, numeric score, `#` comments, blank lines, CRLF, BOM, gzip).
 */
import { inputError } from "../errors.js";
import { textChunks } from "./lines.js";
import { parseDecimal } from "./numbers.js";

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/** Receives entries; `qid` is the same string object for consecutive lines of one query. */
export interface RunScanSink {
  entry(qid: string, docno: string, score: number, lineNo: number): void;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** Score from text[s, e): Clinger fast path, else parseDecimal on the substring. NaN if not a number. */
function scoreAt(text: string, s: number, e: number): number {
  let i = s;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < e; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (dot) frac++;
    } else if (c === 46 && !dot) dot = true;
    else break;
  }
  if (i === e && digits > 0 && digits <= 15) {
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  return parseDecimal(text.slice(s, e));
}

/**
 * Scans a run file, calling sink.entry for every result line. `chunkBytes`: read size (tests use tiny
 * ones). Resolves to the tag (field 6) of the last result line ("" when there is none): trec_eval's runid.
 */
export async function scanRunFile(path: string, sink: RunScanSink, chunkBytes = 1 << 22): Promise<string> {
  let rest = "";
  let lineNo = 0;
  let cur = "";
  const fs = new Int32Array(12); // field starts/ends: [s0, e0, s1, e1, ...] for 6 fields
  let tagText = "";
  let tagS = 0;
  let tagE = 0;

  /** Parses the complete lines of text[start, limit) (limit just past a '\n'). */
  const parse = (text: string, start: number, limit: number): void => {
    let i = start;
    while (i < limit) {
      lineNo++;
      let n = 0;
      let c = text.charCodeAt(i);
      // fields until end of line
      while (i < limit) {
        while (i < limit && c !== 10 && isSpace(c)) c = text.charCodeAt(++i);
        if (i >= limit || c === 10) break;
        if (n === 0 && c === 35) {
          // comment: skip to end of line
          while (i < limit && c !== 10) c = text.charCodeAt(++i);
          n = -1;
          break;
        }
        const s = i;
        while (i < limit && !isSpace(c)) c = text.charCodeAt(++i);
        if (n < 6) {
          fs[2 * n] = s;
          fs[2 * n + 1] = i;
        }
        n++;
      }
      i++; // past '\n'
      if (n <= 0) continue; // blank or comment
      if (n < 6)
        throw inputError(path, lineNo, `expected 6 fields (qid iter docno rank score tag), got ${n}`);
      const score = scoreAt(text, fs[8], fs[9]);
      if (Number.isNaN(score))
        throw inputError(
          path,
          lineNo,
          `expected a numeric score in field 5, got '${text.slice(fs[8], fs[9])}'`,
        );
      const qs = fs[0];
      const ql = fs[1] - qs;
      const qid = ql === cur.length && text.startsWith(cur, qs) ? cur : (cur = text.slice(qs, fs[1]));
      sink.entry(qid, text.slice(fs[4], fs[5]), score, lineNo);
      tagText = text;
      tagS = fs[10];
      tagE = fs[11];
    }
  };

  for await (const text of textChunks(path, "run", chunkBytes)) {
    // Keep the big chunk a flat string: only the line split across chunks is concatenated.
    const firstNl = text.indexOf("\n");
    if (firstNl < 0) {
      rest += text;
      continue;
    }
    let from = 0;
    if (rest.length > 0) {
      const joined = rest + text.slice(0, firstNl + 1);
      parse(joined, 0, joined.length);
      from = firstNl + 1;
    }
    const last = text.lastIndexOf("\n");
    if (from <= last) parse(text, from, last + 1);
    rest = text.slice(last + 1);
  }
  const tail = rest + "\n";
  if (tail.length > 1) parse(tail, 0, tail.length);
  return tagText.slice(tagS, tagE);
}
