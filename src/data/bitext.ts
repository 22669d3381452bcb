/**
 * Bitext readers and writer. A pair is `{ foreign, english, line }`.
 * - TSV: `foreign<TAB>english` (exactly two columns; blank lines skipped).
 * - Moses: two aligned plain-text files, one sentence per line; different line counts are an error.
 * - TMX: `<tu>` units holding `<tuv xml:lang=..><seg>…</seg></tuv>`; a unit lacking either
 *   language (or with an empty <seg>) is skipped and reported through `onSkip` (or an error with
 *   `missing: "error"`). Inline markup (`<bpt>`, `<ept>`, `<ph>`, `<it>` with their content,
 *   other tags without) is removed; entities and CDATA are decoded. Written without an XML
 *   dependency: a unit is collected line by line from `<tu` to `</tu>`.
 */
import { inputError } from "../errors.js";
import { AtomicLineWriter, drain, readLines } from "./io.js";
import { collapseSpace, decodeEntities } from "./text.js";

export interface BitextPair {
  foreign: string;
  english: string;
  /** Line of the pair (TSV, Moses) or of its `<tu>` (TMX). */
  line: number;
}

/** Streams `foreign<TAB>english` pairs. */
export async function* readBitextTsv(file: string): AsyncGenerator<BitextPair> {
  for await (const { text, lineNo } of readLines(file)) {
    if (text.trim() === "") continue;
    const cols = text.split("\t");
    if (cols.length !== 2)
      throw inputError(file, lineNo, `expected 'foreign<TAB>english' (2 columns), found ${cols.length}`);
    yield { foreign: cols[0], english: cols[1], line: lineNo };
  }
}

/** Streams pairs from two aligned files (Moses style). */
export async function* readBitextMoses(foreignFile: string, englishFile: string): AsyncGenerator<BitextPair> {
  const a = readLines(foreignFile)[Symbol.asyncIterator]();
  const b = readLines(englishFile)[Symbol.asyncIterator]();
  for (;;) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    if (x.done && y.done) return;
    if (x.done || y.done) {
      const shorter = x.done ? foreignFile : englishFile;
      const n = x.done ? (y.value as { lineNo: number }).lineNo : (x.value as { lineNo: number }).lineNo;
      throw inputError(
        shorter,
        n - 1,
        `has ${n - 1} lines but its aligned file has more (expected equal line counts)`,
      );
    }
    yield { foreign: x.value.text, english: y.value.text, line: x.value.lineNo };
  }
}

export interface TmxOptions {
  /** Language of the foreign side (primary subtag compared case-insensitively, e.g. `eu` matches `eu-ES`). */
  foreignLang: string;
  englishLang?: string;
  /** What to do with a unit lacking a language or segment (default "skip"). */
  missing?: "skip" | "error";
  onSkip?: (line: number, reason: string) => void;
}

function segText(raw: string): string {
  let s = raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, c: string) =>
    c.replace(/&/g, "&amp;").replace(/</g, "&lt;"),
  );
  s = s.replace(/<(bpt|ept|ph|it|ut)\b[^>]*>[\s\S]*?<\/\1>/g, "").replace(/<[^>]*>/g, "");
  return collapseSpace(decodeEntities(s));
}

function primary(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0];
}

/** Parses one `<tu>…</tu>` block into language -> segment text. */
export function parseTu(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.matchAll(/<tuv\b([^>]*)>([\s\S]*?)<\/tuv>/g)) {
    const lang = /(?:xml:lang|lang)\s*=\s*["']([^"']+)["']/.exec(m[1]);
    const seg = /<seg\b[^>]*>([\s\S]*?)<\/seg>/.exec(m[2]);
    if (!lang) continue;
    const key = primary(lang[1]);
    if (!out.has(key)) out.set(key, seg ? segText(seg[1]) : "");
  }
  return out;
}

/** Streams pairs from a TMX file. */
export async function* readBitextTmx(file: string, opts: TmxOptions): AsyncGenerator<BitextPair> {
  const fl = primary(opts.foreignLang);
  const el = primary(opts.englishLang ?? "en");
  let buf: string[] = [];
  let start = 0;
  for await (const { text, lineNo } of readLines(file)) {
    let rest = text;
    for (;;) {
      if (!start) {
        const i = rest.search(/<tu[\s>]/);
        if (i < 0) break;
        start = lineNo;
        rest = rest.slice(i);
        buf = [];
      }
      const j = rest.indexOf("</tu>");
      if (j < 0) {
        buf.push(rest);
        break;
      }
      buf.push(rest.slice(0, j));
      const tu = parseTu(buf.join("\n"));
      const f = tu.get(fl);
      const e = tu.get(el);
      const reason =
        !f && !e ? `no ${fl} and no ${el} segment` : !f ? `no ${fl} segment` : !e ? `no ${el} segment` : "";
      if (reason) {
        if (opts.missing === "error")
          throw inputError(file, start, `translation unit has ${reason} (expected both)`);
        opts.onSkip?.(start, reason);
      } else yield { foreign: f!, english: e!, line: start };
      start = 0;
      rest = rest.slice(j + 5);
    }
  }
  if (start) throw inputError(file, start, "<tu> not closed (expected </tu>)");
}

export async function readAllBitext(it: AsyncIterable<BitextPair>): Promise<BitextPair[]> {
  return drain(it);
}

/** Writes pairs as `foreign<TAB>english` (atomically; tabs and newlines inside become spaces). */
export async function writeBitextTsv(
  file: string,
  pairs: Iterable<{ foreign: string; english: string }>,
): Promise<void> {
  const w = await AtomicLineWriter.create(file);
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, " ");
  try {
    for (const p of pairs) await w.write(`${clean(p.foreign)}\t${clean(p.english)}`);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}
