/**
 * What the server answers from: named models over one index (late-interaction or single-vector
 * query encoders, BM25) and the corpus that gives each hit its title and a snippet. Requests name
 * a model; the name is looked up in this in-memory set, never used as a path.
 */
import type { CorpusDoc, QueryRecord } from "../data/corpus.js";
import { readAllCorpus } from "../data/corpus.js";
import type { Run } from "../eval/types.js";
import type { Bm25Index } from "../index/bm25.js";
import { compareHits } from "../index/topk.js";
import type { OnnxEncoder } from "../models/onnx-encoder.js";
import type { Searcher } from "../search/searcher.js";
import type { Analyzer } from "../text/analyzer.js";
import type { QueryEncoderRouter } from "./router.js";

export type ModelRole = "teacher" | "student" | "bm25" | "model";
export type ModelKind = "vector" | "bm25";

/** One model a request may pick. */
export interface ServedModel {
  readonly name: string;
  readonly role: ModelRole;
  readonly kind: ModelKind;
  /** Top-k per query (score desc, docno desc on ties), queries in input order. */
  search(queries: readonly QueryRecord[], k: number): Promise<Run>;
  /** Token-level query encoder for explanations (late-interaction models from a folder). */
  readonly tokenEncoder?: OnnxEncoder;
  /** The analyser of a BM25 model, for term explanations. */
  readonly analyzer?: Analyzer;
}

/** A query encoder searching the shared index through the router. */
export function vectorModel(o: {
  name: string;
  role: ModelRole;
  searcher: Searcher;
  router: QueryEncoderRouter;
  encoder: OnnxEncoder;
}): ServedModel {
  o.router.accept(o.encoder, `model '${o.name}'`);
  return {
    name: o.name,
    role: o.role,
    kind: "vector",
    tokenEncoder: o.encoder.head?.kind === "colbert" ? o.encoder : undefined,
    search: (queries, k) => o.router.run(o.encoder, () => o.searcher.search(queries, k)),
  };
}

/** A Searcher used as it is (a BM25 index folder, or one vector index with its own encoder). */
export function searcherModel(name: string, role: ModelRole, searcher: Searcher): ServedModel {
  return {
    name,
    role,
    kind: searcher.summary.kind === "bm25" ? "bm25" : "vector",
    search: (queries, k) => searcher.search(queries, k),
  };
}

/** An in-memory BM25 index (e.g. built from the corpus at start-up, as the experiment does). */
export function bm25Model(name: string, index: Bm25Index): ServedModel {
  return {
    name,
    role: "bm25",
    kind: "bm25",
    analyzer: index.analyzer,
    search: async (queries, k) =>
      new Map(
        queries.map((q) => [
          q.qid,
          index
            .search(q.text, k)
            .map((h) => ({ docno: h.docno, score: h.score }))
            .sort(compareHits),
        ]),
      ),
  };
}

/**
 * A window of `text` of about `maxChars` characters (white space collapsed): around the first
 * occurrence of a query word of 3+ letters when there is one, else the beginning; cut at word
 * boundaries, with "…" where text was left out.
 */
export function makeSnippet(text: string, query: string, maxChars = 240): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= maxChars) return t;
  const lower = t.toLowerCase();
  let at = -1;
  for (const w of new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])) {
    const i = lower.indexOf(w);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  let start = at < 0 ? 0 : Math.max(0, at - Math.floor(maxChars / 4));
  if (start > 0) {
    const sp = t.indexOf(" ", start);
    if (sp >= 0 && sp < at) start = sp + 1;
  }
  let end = Math.min(t.length, start + maxChars);
  if (end < t.length) {
    const sp = t.lastIndexOf(" ", end);
    if (sp > start + maxChars / 2) end = sp;
  }
  return (start > 0 ? "… " : "") + t.slice(start, end) + (end < t.length ? " …" : "");
}

/** The documents by id, for titles, snippets and explanations. */
export class CorpusStore {
  private constructor(private readonly docs: Map<string, CorpusDoc>) {}

  static fromDocs(docs: Iterable<CorpusDoc>): CorpusStore {
    return new CorpusStore(new Map([...docs].map((d) => [d.id, d])));
  }

  /** Reads a JSONL/TSV corpus (see data/corpus.ts; fields as there). */
  static async fromFile(
    file: string,
    fields: { id?: string; title?: string; text?: string } = {},
  ): Promise<CorpusStore> {
    const docs = await readAllCorpus(file, {
      ...(fields.id ? { idFields: [fields.id] } : {}),
      ...(fields.title ? { titleFields: [fields.title] } : {}),
      ...(fields.text ? { textFields: [fields.text] } : {}),
    });
    return CorpusStore.fromDocs(docs);
  }

  get size(): number {
    return this.docs.size;
  }

  get(docno: string): CorpusDoc | undefined {
    return this.docs.get(docno);
  }

  all(): IterableIterator<CorpusDoc> {
    return this.docs.values();
  }
}
