/**
 * JSONL and TSV corpora and queries with configurable fields. Defaults accept the shapes of
 * ir_datasets exports (`doc_id`, `query_id`), BEIR (`_id`, `title`, `text`), Pyserini/CIRAL
 * (`docid`/`id`, `contents`/`text`), CIRAL passages (`docid`, `title`, `text`, `url`), NeuCLIR/HC4
 * (`id`, `title`, `text`, `url`, `time`, `cc_file`), mMARCO TSV (`id<TAB>text`) and WikiCLIR-style
 * TSV (`id<TAB>title<TAB>text`); other fields are ignored. A JSONL document may carry its language
 * (`lang` or `language`, e.g. a corpus mixing languages); it is kept as `CorpusDoc.lang`. The
 * format comes from the extension (`.jsonl`, `.json`, `.tsv`, `.txt`, each optionally `.gz`).
 */
import { inputError, XlirError } from "../errors.js";
import { drain, IdGuard, parseJsonLine, readLines, type DuplicatePolicy } from "./io.js";
import { AtomicLineWriter } from "./atomic.js";

export interface CorpusDoc {
  id: string;
  title: string;
  text: string;
  /** The document's language when the record gives one (JSONL `lang`/`language`); absent otherwise. */
  lang?: string;
}

export interface QueryRecord {
  qid: string;
  text: string;
}

export interface CorpusReadOptions {
  /** Field names tried in order for the id (JSONL). */
  idFields?: string[];
  titleFields?: string[];
  textFields?: string[];
  /** Field names tried in order for the optional language (JSONL; default `lang`, `language`). */
  langFields?: string[];
  /** TSV column indices (0-based) of id, text and optional title; default id 0, and text 1 (2 columns) or title 1 + text 2 (3+ columns). */
  tsvColumns?: { id: number; text: number; title?: number };
  duplicates?: DuplicatePolicy;
  /** Refuse a record whose text and title are both empty (queries). */
  requireText?: boolean;
  /** Force a format instead of guessing from the extension. */
  format?: "jsonl" | "tsv";
}

export const DEFAULT_ID_FIELDS = ["_id", "doc_id", "docid", "id", "query_id", "qid"];
export const DEFAULT_TITLE_FIELDS = ["title"];
export const DEFAULT_TEXT_FIELDS = ["text", "contents", "body", "query"];
export const DEFAULT_LANG_FIELDS = ["lang", "language"];

/**
 * The record format implied by a file name.
 * @example
 * ```ts
 * import { formatOf, XlirError } from "xlir";
 * console.assert(formatOf("corpus.jsonl.gz") === "jsonl" && formatOf("queries.tsv") === "tsv");
 * let err: unknown;
 * try {
 *   formatOf("corpus.csv");
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "UNSUPPORTED");
 * ```
 */
export function formatOf(file: string): "jsonl" | "tsv" {
  const f = file.replace(/\.gz$/, "");
  if (/\.(jsonl|json|ndjson)$/.test(f)) return "jsonl";
  if (/\.(tsv|txt|tab)$/.test(f)) return "tsv";
  throw new XlirError(
    "UNSUPPORTED",
    `${file}: unknown format (expected .jsonl, .json, .tsv or .txt, optionally .gz)`,
  );
}

function pick(
  obj: Record<string, unknown>,
  fields: string[],
  file: string,
  line: number,
  what: string,
  required: boolean,
): string {
  for (const f of fields) {
    const v = obj[f];
    if (v === undefined || v === null) continue;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    throw inputError(file, line, `field '${f}' must be a string or number (the ${what})`);
  }
  if (required) throw inputError(file, line, `no ${what} field (expected one of ${fields.join(", ")})`);
  return "";
}

/**
 * Streams documents from a JSONL or TSV corpus. Blank lines are skipped.
 * @example
 * ```ts
 * import { readCorpus } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "corpus.jsonl");
 * // BEIR-style fields (`_id`, `title`, `text`) and an optional language
 * writeFileSync(file, '{"_id":"d1","title":"Print","text":"Printing a page"}\n\n{"_id":"d2","text":"Gorde","lang":"eu"}\n');
 * const docs = [];
 * for await (const d of readCorpus(file)) docs.push(d);
 * console.assert(docs.length === 2 && docs[0].title === "Print" && docs[1].title === "" && docs[1].lang === "eu");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function* readCorpus(file: string, opts: CorpusReadOptions = {}): AsyncGenerator<CorpusDoc> {
  const fmt = opts.format ?? formatOf(file);
  const guard = new IdGuard(file, opts.duplicates);
  const idF = opts.idFields ?? DEFAULT_ID_FIELDS;
  const titleF = opts.titleFields ?? DEFAULT_TITLE_FIELDS;
  const textF = opts.textFields ?? DEFAULT_TEXT_FIELDS;
  const langF = opts.langFields ?? DEFAULT_LANG_FIELDS;
  for await (const { text, lineNo } of readLines(file)) {
    if (text.trim() === "") continue;
    let doc: CorpusDoc;
    if (fmt === "jsonl") {
      const o = parseJsonLine(text, file, lineNo, "JSON object");
      doc = {
        id: pick(o, idF, file, lineNo, "id", true),
        title: pick(o, titleF, file, lineNo, "title", false),
        text: pick(o, textF, file, lineNo, "text", true),
      };
      const lang = pick(o, langF, file, lineNo, "language", false).trim();
      if (lang !== "") {
        if (/\s/.test(lang))
          throw inputError(
            file,
            lineNo,
            `language '${lang}' contains white space (expected a code such as 'ha' or 'hau')`,
          );
        doc.lang = lang;
      }
    } else {
      const cols = text.split("\t");
      const c = opts.tsvColumns ?? (cols.length >= 3 ? { id: 0, title: 1, text: 2 } : { id: 0, text: 1 });
      const need = Math.max(c.id, c.text, c.title ?? 0) + 1;
      if (cols.length < need)
        throw inputError(
          file,
          lineNo,
          `expected at least ${need} tab-separated columns, found ${cols.length}`,
        );
      // Tabs inside the last column (the text, when it is last) are kept.
      const textCol = c.text === need - 1 ? cols.slice(c.text).join("\t") : cols[c.text];
      doc = { id: cols[c.id], title: c.title === undefined ? "" : cols[c.title], text: textCol };
    }
    if (doc.id === "") throw inputError(file, lineNo, "empty id");
    if (/\s/.test(doc.id))
      throw inputError(
        file,
        lineNo,
        `id '${doc.id}' contains white space (TREC qrels and runs cannot hold it)`,
      );
    if (opts.requireText && doc.text.trim() === "" && doc.title.trim() === "")
      throw inputError(file, lineNo, `'${doc.id}' has no text`);
    if (guard.accept(doc.id, lineNo)) yield doc;
  }
}

/**
 * Reads a whole corpus into memory (see readCorpus).
 * @example
 * ```ts
 * import { readAllCorpus } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "corpus.tsv");
 * writeFileSync(file, "d1\tTitle\tSome text\nd2\tOther\tMore\ttext\n"); // id, title, text (tabs kept in the text)
 * const docs = await readAllCorpus(file);
 * console.assert(docs.length === 2 && docs[0].title === "Title" && docs[1].text === "More\ttext");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readAllCorpus(file: string, opts: CorpusReadOptions = {}): Promise<CorpusDoc[]> {
  return drain(readCorpus(file, opts));
}

/**
 * Streams queries from JSONL (`query_id`/`_id`/`qid` + `text`/`query`) or TSV (`qid<TAB>text`).
 * @example
 * ```ts
 * import { readQueries } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "queries.jsonl");
 * writeFileSync(file, '{"query_id":"q1","text":"inprimatu orria"}\n{"query_id":"q2","text":"gorde"}\n');
 * const qids = [];
 * for await (const q of readQueries(file)) qids.push(`${q.qid}=${q.text}`);
 * console.assert(qids.join("|") === "q1=inprimatu orria|q2=gorde");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function* readQueries(file: string, opts: CorpusReadOptions = {}): AsyncGenerator<QueryRecord> {
  const o: CorpusReadOptions = {
    requireText: true,
    ...opts,
    idFields: opts.idFields ?? ["query_id", "qid", "_id", "id"],
    tsvColumns: opts.tsvColumns ?? { id: 0, text: 1 },
  };
  for await (const d of readCorpus(file, o)) yield { qid: d.id, text: d.title && !d.text ? d.title : d.text };
}

/**
 * Reads every query of a file into memory (see readQueries).
 * @example
 * ```ts
 * import { readAllQueries, XlirError } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "q.tsv"), "q1\tkaixo mundua\n");
 * const qs = await readAllQueries(join(dir, "q.tsv"));
 * console.assert(qs.length === 1 && qs[0].qid === "q1" && qs[0].text === "kaixo mundua");
 * writeFileSync(join(dir, "empty.tsv"), "q1\t \n"); // a query needs text
 * const err = await readAllQueries(join(dir, "empty.tsv")).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.message.endsWith("empty.tsv:1: 'q1' has no text"));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readAllQueries(file: string, opts: CorpusReadOptions = {}): Promise<QueryRecord[]> {
  return drain(readQueries(file, opts));
}

/**
 * Writes documents as JSONL `{"id","title","text"}` plus `"lang"` when a document has one (atomically).
 * @example
 * ```ts
 * import { readAllCorpus, writeCorpusJsonl } from "xlir";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "corpus.jsonl.gz");
 * const docs = [
 *   { id: "d1", title: "Print", text: "Printing a page" },
 *   { id: "d2", title: "", text: "Gorde", lang: "eu" },
 * ];
 * await writeCorpusJsonl(file, docs);
 * console.assert(JSON.stringify(await readAllCorpus(file)) === JSON.stringify(docs)); // round trip
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeCorpusJsonl(
  file: string,
  docs: Iterable<CorpusDoc> | AsyncIterable<CorpusDoc>,
): Promise<void> {
  const w = await AtomicLineWriter.create(file);
  try {
    for await (const d of docs)
      await w.write(
        JSON.stringify(
          d.lang === undefined
            ? { id: d.id, title: d.title, text: d.text }
            : { id: d.id, title: d.title, text: d.text, lang: d.lang },
        ),
      );
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/**
 * Writes queries as `qid<TAB>text` (atomically; tabs and newlines in text become spaces).
 * @example
 * ```ts
 * import { writeQueriesTsv } from "xlir";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "queries.tsv");
 * await writeQueriesTsv(file, [{ qid: "q1", text: "two\tlines\nof text" }]);
 * console.assert(readFileSync(file, "utf8") === "q1\ttwo lines of text\n");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeQueriesTsv(file: string, queries: Iterable<QueryRecord>): Promise<void> {
  const w = await AtomicLineWriter.create(file);
  try {
    for (const q of queries) await w.write(`${q.qid}\t${q.text.replace(/[\t\r\n]+/g, " ")}`);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}
