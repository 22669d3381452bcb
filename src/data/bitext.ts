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
import { drain, readLines } from "./io.js";
import { AtomicLineWriter } from "./atomic.js";
import { collapseSpace, decodeEntities } from "./text.js";

export interface BitextPair {
  foreign: string;
  english: string;
  /** Line of the pair (TSV, Moses) or of its `<tu>` (TMX). */
  line: number;
}

/**
 * Streams `foreign<TAB>english` pairs.
 * @example
 * ```ts
 * import { readBitextTsv, XlirError } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "ok.tsv"), "kaixo\thello\n\nagur\tbye\n");
 * const pairs = [];
 * for await (const p of readBitextTsv(join(dir, "ok.tsv"))) pairs.push(`${p.line}:${p.foreign}=${p.english}`);
 * console.assert(pairs.join("|") === "1:kaixo=hello|3:agur=bye"); // blank line skipped, lines kept
 * writeFileSync(join(dir, "bad.tsv"), "kaixo\thello\tthird\n");
 * let err: unknown;
 * try {
 *   for await (const _ of readBitextTsv(join(dir, "bad.tsv")));
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.message.includes("bad.tsv:1: expected 'foreign<TAB>english'"));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function* readBitextTsv(file: string): AsyncGenerator<BitextPair> {
  for await (const { text, lineNo } of readLines(file)) {
    if (text.trim() === "") continue;
    const cols = text.split("\t");
    if (cols.length !== 2)
      throw inputError(file, lineNo, `expected 'foreign<TAB>english' (2 columns), found ${cols.length}`);
    yield { foreign: cols[0], english: cols[1], line: lineNo };
  }
}

/**
 * Streams pairs from two aligned files (Moses style).
 * @example
 * ```ts
 * import { readBitextMoses, XlirError } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const [eu, en, short] = ["c.eu", "c.en", "short.en"].map((f) => join(dir, f));
 * writeFileSync(eu, "kaixo\nagur\n");
 * writeFileSync(en, "hello\nbye\n");
 * writeFileSync(short, "hello\n");
 * const pairs = [];
 * for await (const p of readBitextMoses(eu, en)) pairs.push(`${p.foreign}=${p.english}`);
 * console.assert(pairs.join("|") === "kaixo=hello|agur=bye");
 * let err: unknown;
 * try {
 *   for await (const _ of readBitextMoses(eu, short));
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.message.startsWith(`${short}:1: has 1 lines`)); // unequal line counts
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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

/**
 * Parses one `<tu>…</tu>` block into language -> segment text.
 * @example
 * ```ts
 * import { parseTu } from "xlir";
 * const tu = parseTu('<tuv xml:lang="eu-ES"><seg>Kaixo &amp; agur</seg></tuv><tuv lang="EN"><seg>Hello <ph>{1}</ph>&amp;  bye</seg></tuv>');
 * console.assert(tu.get("eu") === "Kaixo & agur" && tu.get("en") === "Hello & bye"); // primary subtags, markup removed
 * ```
 */
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

/**
 * Streams pairs from a TMX file.
 * @example
 * ```ts
 * import { readBitextTmx } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "memory.tmx");
 * const tuv = (lang: string, seg: string) => `<tuv xml:lang="${lang}"><seg>${seg}</seg></tuv>`;
 * writeFileSync(file, `<tmx><body>\n<tu>${tuv("eu", "Gorde")}${tuv("en", "Save")}</tu>\n<tu>${tuv("eu", "Itxi")}</tu>\n</body></tmx>\n`);
 * const skipped: string[] = [];
 * const pairs = [];
 * for await (const p of readBitextTmx(file, { foreignLang: "eu", onSkip: (line, why) => skipped.push(`${line}: ${why}`) }))
 *   pairs.push(`${p.foreign}=${p.english}`);
 * console.assert(pairs.join() === "Gorde=Save" && skipped.join() === "3: no en segment");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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

/**
 * Drains a bitext reader into an array.
 * @example
 * ```ts
 * import { readAllBitext, readBitextTsv } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "b.tsv"), "kaixo\thello\nagur\tbye\n");
 * const pairs = await readAllBitext(readBitextTsv(join(dir, "b.tsv")));
 * console.assert(pairs.length === 2 && pairs[1].foreign === "agur" && pairs[1].line === 2);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readAllBitext(it: AsyncIterable<BitextPair>): Promise<BitextPair[]> {
  return drain(it);
}

/**
 * Writes pairs as `foreign<TAB>english` (atomically; tabs and newlines inside become spaces).
 * @example
 * ```ts
 * import { readAllBitext, readBitextTsv, writeBitextTsv } from "xlir";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "b.tsv");
 * await writeBitextTsv(file, [{ foreign: "kaixo\tmundua", english: "hello world" }]);
 * const [p] = await readAllBitext(readBitextTsv(file));
 * console.assert(p.foreign === "kaixo mundua" && p.english === "hello world"); // the tab became a space
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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
