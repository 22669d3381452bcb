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
import { AtomicLineWriter, drain, IdGuard, readLines, type DuplicatePolicy } from "./io.js";

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

/** The record format implied by a file name. */
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

/** Streams documents from a JSONL or TSV corpus. Blank lines are skipped. */
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
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        throw inputError(
          file,
          lineNo,
          `invalid JSON (${(e as Error).message}); expected one JSON object per line`,
        );
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj))
        throw inputError(file, lineNo, "expected a JSON object");
      const o = obj as Record<string, unknown>;
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

export async function readAllCorpus(file: string, opts: CorpusReadOptions = {}): Promise<CorpusDoc[]> {
  return drain(readCorpus(file, opts));
}

/** Streams queries from JSONL (`query_id`/`_id`/`qid` + `text`/`query`) or TSV (`qid<TAB>text`). */
export async function* readQueries(file: string, opts: CorpusReadOptions = {}): AsyncGenerator<QueryRecord> {
  const o: CorpusReadOptions = {
    requireText: true,
    ...opts,
    idFields: opts.idFields ?? ["query_id", "qid", "_id", "id"],
    tsvColumns: opts.tsvColumns ?? { id: 0, text: 1 },
  };
  for await (const d of readCorpus(file, o)) yield { qid: d.id, text: d.title && !d.text ? d.title : d.text };
}

export async function readAllQueries(file: string, opts: CorpusReadOptions = {}): Promise<QueryRecord[]> {
  return drain(readQueries(file, opts));
}

/** Writes documents as JSONL `{"id","title","text"}` plus `"lang"` when a document has one (atomically). */
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

/** Writes queries as `qid<TAB>text` (atomically; tabs and newlines in text become spaces). */
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
