/**
 * TREC topics: classic SGML-like files (`<top> <num> Number: 301 <title> … <desc> Description: …
 * </top>`, closing tags optional as in the TREC originals) or `qid<TAB>text` lines. The format
 * is detected from the first non-blank line (`<top>` or not).
 */
import { inputError } from "../errors.js";
import { drain, IdGuard, readLines, writeLinesAtomic, type DuplicatePolicy } from "./io.js";
import { collapseSpace } from "./text.js";

export interface Topic {
  qid: string;
  title: string;
  description?: string;
  narrative?: string;
}

export interface TopicReadOptions {
  duplicates?: DuplicatePolicy;
}

const FIELD = /<(num|title|desc|narr)>/gi;

function parseTopBlock(block: string, file: string, line: number): Topic {
  const parts = new Map<string, string>();
  const matches = [...block.matchAll(FIELD)];
  matches.forEach((m, i) => {
    const end = i + 1 < matches.length ? matches[i + 1].index : block.length;
    let text = block.slice(m.index + m[0].length, end).replace(/<\/(num|title|desc|narr)>/gi, "");
    const tag = m[1].toLowerCase();
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

/** Streams the topics of a file (classic `<top>` blocks or `qid<TAB>text`). */
export async function* readTopics(file: string, opts: TopicReadOptions = {}): AsyncGenerator<Topic> {
  const guard = new IdGuard(file, opts.duplicates);
  let mode: "top" | "tsv" | undefined;
  let block: string[] = [];
  let blockStart = 0;
  for await (const { text, lineNo } of readLines(file)) {
    if (mode === undefined) {
      if (text.trim() === "") continue;
      mode = /^\s*<top>/i.test(text) ? "top" : "tsv";
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
      const t = parseTopBlock(block.join("\n"), file, blockStart);
      if (guard.accept(t.qid, blockStart)) yield t;
      block = [];
      blockStart = 0;
    } else if (blockStart) block.push(text);
    else if (text.trim() !== "") throw inputError(file, lineNo, "text outside <top>…</top>");
  }
  if (blockStart) throw inputError(file, blockStart, "topic not closed (expected </top>)");
}

export async function readAllTopics(file: string, opts: TopicReadOptions = {}): Promise<Topic[]> {
  return drain(readTopics(file, opts));
}

/** Writes topics as `qid<TAB>title` lines (atomically). */
export async function writeTopicsTsv(file: string, topics: Iterable<Topic>): Promise<void> {
  await writeLinesAtomic(file, [...topics].map((t) => `${t.qid}\t${t.title.replace(/[\t\r\n]+/g, " ")}`));
}
