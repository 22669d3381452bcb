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

/**
 * A query encoder searching the shared index through the router.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { buildVectorIndex, OnnxEncoder, QueryEncoderRouter, Searcher, vectorModel } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const enc = await OnnxEncoder.fromFolder("test/fixtures/tiny-bert");
 * const docs = [
 *   { id: "d1", title: "Fox", text: "the quick brown fox" },
 *   { id: "d2", title: "World", text: "hello world" },
 *   { id: "d3", title: "Cafe", text: "a cafe with a lazy dog" },
 * ];
 * await buildVectorIndex({ kind: "multi-exact", out: join(dir, "idx"), encoder: enc, docs });
 * const router = new QueryEncoderRouter(enc.hash, enc.dim, join(dir, "idx"));
 * const shared = await Searcher.open(join(dir, "idx"), router);
 * const model = vectorModel({ name: "teacher", role: "teacher", searcher: shared, router, encoder: enc });
 * const run = await model.search([{ qid: "q", text: "quick fox" }], 3);
 * // the routed search ranks as the encoder searching the index on its own
 * const own = await Searcher.open(join(dir, "idx"), enc);
 * const direct = await own.searchText("quick fox", 3);
 * console.assert(JSON.stringify(run.get("q")) === JSON.stringify(direct));
 * console.assert(model.kind === "vector" && model.tokenEncoder === enc); // a colbert head: explainable
 * own.close();
 * shared.close();
 * await enc.dispose();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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

/**
 * A Searcher used as it is (a BM25 index folder, or one vector index with its own encoder).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, saveBm25, Searcher, searcherModel } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const docs = [
 *   { id: "d1", title: "Printing", text: "print a document" },
 *   { id: "d2", title: "Saving", text: "save a file to disk" },
 * ];
 * await saveBm25(Bm25Index.build(docs), join(dir, "bm25"));
 * const searcher = await Searcher.open(join(dir, "bm25"), null);
 * const model = searcherModel("bm25", "bm25", searcher);
 * const run = await model.search([{ qid: "q1", text: "saving files" }], 1);
 * console.assert(model.kind === "bm25" && run.get("q1")?.[0].docno === "d2");
 * searcher.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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
 * @example
 * ```ts
 * import { makeSnippet } from "xlir";
 * const text = "aaa ".repeat(100) + "the river runs " + "bbb ".repeat(100);
 * const s = makeSnippet(text, "a river", 60);
 * // a window around "river" (words under 3 letters are not looked for), cut at spaces
 * console.assert(s.startsWith("… aaa") && s.endsWith("bbb …") && s.includes("the river runs"));
 * console.assert(s.length <= 60 + 4);
 * console.assert(makeSnippet("short\n  text", "x") === "short text");
 * ```
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

/**
 * The documents by id, for titles, snippets and explanations.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { CorpusStore, writeCorpusJsonl } from "xlir";
 * const docs = [
 *   { id: "d1", title: "Hello", text: "hello world" },
 *   { id: "d2", title: "Fox", text: "the quick brown fox" },
 * ];
 * const store = CorpusStore.fromDocs(docs);
 * console.assert(store.size === 2 && store.get("d2")?.title === "Fox" && store.get("d3") === undefined);
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * await writeCorpusJsonl(join(dir, "corpus.jsonl"), docs);
 * const read = await CorpusStore.fromFile(join(dir, "corpus.jsonl"));
 * console.assert([...read.all()].map((d) => d.text).join("|") === "hello world|the quick brown fox");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
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
