/**
 * Topic files, the format detected from the first non-blank line:
 * - classic TREC SGML-like files (`<top> <num> Number: 301 <title> … <desc> Description: …
 *   </top>`, closing tags optional as in the TREC originals) — `<top>`;
 * - NeuCLIR / HC4 JSONL topics — `{`: one object per line, `{"topic_id": "…", "topics": [{"lang":
 *   "eng", "source": "original", "topic_title": "…", "topic_description": "…"}, {"lang": "fas",
 *   "source": "human translation", …}, …], …}` (other keys such as `narratives` or
 *   `languages_with_qrels` are ignored). The entry of the requested language (`lang`, default
 *   English: `eng` or `en`) is taken, preferring the source `original`, then `human translation`,
 *   then any other (machine translation);
 * - `qid<TAB>text` lines (CIRAL, ir_datasets exports) — anything else.
 */
import { inputError } from "../errors.js";
import { drain, IdGuard, parseJsonLine, readLines, type DuplicatePolicy } from "./io.js";
import { writeLinesAtomic } from "./atomic.js";
import { collapseSpace } from "./text.js";

export interface Topic {
  qid: string;
  title: string;
  description?: string;
  narrative?: string;
  /** Language of the entry taken from a NeuCLIR JSONL topic (as the file names it). */
  lang?: string;
}

export interface TopicReadOptions {
  duplicates?: DuplicatePolicy;
  /** The topic language to take from NeuCLIR JSONL entries and CLEF-style `<XX-title>` fields (default "eng", which also matches "en"). */
  lang?: string;
}

/** Which topic fields make the query text. */
export type TopicField = "title" | "description" | "title+description";

/** The query text of a topic: its title, its description (the title when it has none), or both joined by a space. */
export function topicText(t: Topic, field: TopicField = "title"): string {
  if (field === "title") return t.title;
  if (field === "description") return t.description ?? t.title;
  return t.description ? `${t.title} ${t.description}` : t.title;
}

const SOURCE_RANK: Record<string, number> = { original: 0, "human translation": 1 };

/** Language codes that name the same language in topic files (ISO 639-3 and 639-1 for English). */
function sameLang(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const en = (c: string) => c === "eng" || c === "en" || c.startsWith("en-");
  return x === y || (en(x) && en(y));
}

function parseJsonTopic(text: string, file: string, line: number, lang: string): Topic {
  const o = parseJsonLine(text, file, line, "NeuCLIR topic object");
  const id = o.topic_id ?? o.query_id ?? o.qid;
  if (typeof id !== "string" && typeof id !== "number")
    throw inputError(file, line, "no topic_id (expected a string or number)");
  const qid = String(id).trim();
  if (qid === "" || /\s/.test(qid))
    throw inputError(file, line, `topic_id '${qid}' is empty or contains white space`);
  if (!Array.isArray(o.topics))
    throw inputError(
      file,
      line,
      `topic ${qid}: no 'topics' array (expected [{lang, source, topic_title, topic_description}, …])`,
    );
  let best: Record<string, unknown> | undefined;
  let bestRank = Infinity;
  for (const [i, e] of (o.topics as unknown[]).entries()) {
    if (typeof e !== "object" || e === null)
      throw inputError(file, line, `topic ${qid}: topics[${i}] is not an object`);
    const t = e as Record<string, unknown>;
    if (typeof t.lang !== "string")
      throw inputError(file, line, `topic ${qid}: topics[${i}] has no 'lang' string`);
    if (!sameLang(t.lang, lang)) continue;
    const rank = SOURCE_RANK[typeof t.source === "string" ? t.source : ""] ?? 2;
    if (rank < bestRank) {
      best = t;
      bestRank = rank;
    }
  }
  if (!best)
    throw inputError(
      file,
      line,
      `topic ${qid} has no '${lang}' entry in 'topics' (languages: ${(o.topics as Array<{ lang?: unknown }>).map((t) => String(t?.lang)).join(", ")})`,
    );
  const title = typeof best.topic_title === "string" ? collapseSpace(best.topic_title) : "";
  const description = typeof best.topic_description === "string" ? collapseSpace(best.topic_description) : "";
  if (title === "" && description === "")
    throw inputError(
      file,
      line,
      `topic ${qid}: the '${lang}' entry has no topic_title and no topic_description`,
    );
  const t: Topic = { qid, title: title || description, lang: best.lang as string };
  if (description) t.description = description;
  return t;
}

const FIELD = /<(?:([a-z]{2,3})-)?(num|title|desc|narr)>/gi;

/**
 * One `<top>` block. Fields may carry a language prefix as in CLEF topics (`<EN-title>`,
 * `<EN-desc>`): a prefixed field is used when its language is the requested one, and wins over
 * an unprefixed field of the same name.
 */
function parseTopBlock(block: string, file: string, line: number, lang: string): Topic {
  const parts = new Map<string, string>();
  const prefixed = new Set<string>();
  const matches = [...block.matchAll(FIELD)];
  matches.forEach((m, i) => {
    const end = i + 1 < matches.length ? matches[i + 1].index : block.length;
    let text = block
      .slice(m.index + m[0].length, end)
      .replace(/<\/(?:[a-z]{2,3}-)?(num|title|desc|narr)>/gi, "");
    const tag = m[2].toLowerCase();
    if (m[1] !== undefined) {
      if (!sameLang(m[1], lang)) return;
      prefixed.add(tag);
    } else if (prefixed.has(tag)) return;
    if (tag === "num") text = text.replace(/^\s*Number:\s*/i, "");
    if (tag === "desc") text = text.replace(/^\s*Description:\s*/i, "");
    if (tag === "narr") text = text.replace(/^\s*Narrative:\s*/i, "");
    parts.set(tag, collapseSpace(text));
  });
  const qid = parts.get("num");
  if (!qid) throw inputError(file, line, "topic without <num> (expected <num> Number: ID)");
  const title = parts.get("title") ?? "";
  const t: Topic = { qid, title };
  if (parts.get("desc")) t.description = parts.get("desc");
  if (parts.get("narr")) t.narrative = parts.get("narr");
  return t;
}

/**
 * Streams the topics of a file (classic `<top>` blocks, NeuCLIR JSONL or `qid<TAB>text`).
 * @example
 * ```ts
 * import { readTopics } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "topics.txt");
 * writeFileSync(file, "<top>\n<num> Number: 301\n<title> Printing  pages\n<desc> Description:\nHow to print.\n</top>\n");
 * const topics = [];
 * for await (const t of readTopics(file)) topics.push(t);
 * console.assert(topics.length === 1 && topics[0].qid === "301" && topics[0].title === "Printing pages" && topics[0].description === "How to print.");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function* readTopics(file: string, opts: TopicReadOptions = {}): AsyncGenerator<Topic> {
  const guard = new IdGuard(file, opts.duplicates);
  let mode: "top" | "tsv" | "jsonl" | undefined;
  let block: string[] = [];
  let blockStart = 0;
  for await (const { text, lineNo } of readLines(file)) {
    if (mode === undefined) {
      if (text.trim() === "") continue;
      mode = /^\s*<top>/i.test(text) ? "top" : /^\s*\{/.test(text) ? "jsonl" : "tsv";
    }
    if (mode === "jsonl") {
      if (text.trim() === "") continue;
      const t = parseJsonTopic(text, file, lineNo, opts.lang ?? "eng");
      if (guard.accept(t.qid, lineNo)) yield t;
      continue;
    }
    if (mode === "tsv") {
      if (text.trim() === "") continue;
      const tab = text.indexOf("\t");
      if (tab <= 0) throw inputError(file, lineNo, "expected 'qid<TAB>text'");
      const qid = text.slice(0, tab).trim();
      if (guard.accept(qid, lineNo)) yield { qid, title: text.slice(tab + 1) };
      continue;
    }
    if (/^\s*<top>/i.test(text)) {
      if (block.length) throw inputError(file, lineNo, "<top> inside a topic (expected </top> first)");
      blockStart = lineNo;
      block = [text.replace(/^\s*<top>/i, "")];
    } else if (/<\/top>/i.test(text)) {
      if (!blockStart) throw inputError(file, lineNo, "</top> without <top>");
      block.push(text.replace(/<\/top>.*$/i, ""));
      const t = parseTopBlock(block.join("\n"), file, blockStart, opts.lang ?? "eng");
      if (guard.accept(t.qid, blockStart)) yield t;
      block = [];
      blockStart = 0;
    } else if (blockStart) block.push(text);
    else if (text.trim() !== "") throw inputError(file, lineNo, "text outside <top>…</top>");
  }
  if (blockStart) throw inputError(file, blockStart, "topic not closed (expected </top>)");
}

/**
 * Reads every topic of a file into memory (see readTopics).
 * @example
 * ```ts
 * import { readAllTopics } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "topics.jsonl");
 * const topic = {
 *   topic_id: "t1",
 *   topics: [
 *     { lang: "fas", source: "human translation", topic_title: "چاپ" },
 *     { lang: "eng", source: "original", topic_title: "printing", topic_description: "How to print a page." },
 *   ],
 * };
 * writeFileSync(file, JSON.stringify(topic) + "\n"); // NeuCLIR JSONL: the English entry is taken by default
 * const [t] = await readAllTopics(file);
 * console.assert(t.qid === "t1" && t.title === "printing" && t.description === "How to print a page." && t.lang === "eng");
 * console.assert((await readAllTopics(file, { lang: "fas" }))[0].title === "چاپ");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readAllTopics(file: string, opts: TopicReadOptions = {}): Promise<Topic[]> {
  return drain(readTopics(file, opts));
}

/**
 * Writes topics as `qid<TAB>title` lines (atomically).
 * @example
 * ```ts
 * import { readAllTopics, writeTopicsTsv } from "xlir";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "topics.tsv");
 * await writeTopicsTsv(file, [{ qid: "301", title: "print\tpages", description: "not written" }]);
 * console.assert(readFileSync(file, "utf8") === "301\tprint pages\n");
 * console.assert((await readAllTopics(file))[0].title === "print pages"); // read back as qid<TAB>text
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeTopicsTsv(file: string, topics: Iterable<Topic>): Promise<void> {
  await writeLinesAtomic(
    file,
    [...topics].map((t) => `${t.qid}\t${t.title.replace(/[\t\r\n]+/g, " ")}`),
  );
}
