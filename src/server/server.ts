/**
 * The search server (fastify): a JSON API over named models sharing one index, and one page.
 *   GET  /                                  the search page (assets under /assets/, served from the package)
 *   GET  /health                            {status: "ok", index, models}
 *   GET  /models                            the models a request may name, the default, the limits
 *   POST /search {"query", "k"?, "model"?}  -> {model, results: [{rank, docno, score, title, snippet}], took_ms}
 *   POST /search/batch {"queries": [..], "k"?, "model"?} -> {model, queries: [{query, results}], took_ms}
 *   POST /explain {"query", "docno", "model"?, "plan"?} -> why the document matched (explain.ts)
 * Requests are validated by JSON schema (400 with a message; no coercion, unknown fields refused),
 * bodies over `bodyLimit` get 413, other content types 415, library errors map to their XlirError
 * HTTP status, anything else is a 500 without internals. Models are named from the loaded set (a
 * schema enum); documents are looked up in memory; nothing in a request reaches the file system.
 * Every corpus text leaves as a JSON string and the page writes it as text, never as HTML; every
 * response carries a strict Content-Security-Policy (scripts only from /assets/).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { XlirError } from "../errors.js";
import type { DocHit } from "../index/types.js";
import type { OnnxEncoder } from "../models/onnx-encoder.js";
import type { IndexSummary, Searcher } from "../search/searcher.js";
import { type CorpusStore, makeSnippet, searcherModel, type ServedModel } from "./catalog.js";
import { explainBm25, explainLateInteraction, type Explanation } from "./explain.js";
import { DEFAULT_LIMITS, routeSchemas, type ServerLimits } from "./schemas.js";

export interface CreateServerOptions {
  /** Models in picker order (the first is the default unless `defaultModel` names another). */
  models?: ServedModel[];
  /** Shortcut for one Searcher as the only model, named "default". */
  searcher?: Searcher;
  /** The index the models search (for /health); taken from `searcher` when that is given. */
  index?: IndexSummary;
  defaultModel?: string;
  /** Titles, snippets and explanations come from here; without it results carry null titles and snippets. */
  corpus?: CorpusStore | null;
  /** The encoder that built the index, cut at the index's document length (late-interaction explanations). */
  docEncoder?: OnnxEncoder | null;
  /** Entropic regularisation of the explained OT plans (default 0.02, the OT students' default). */
  epsilon?: number;
  /** Serve the search page (default true). */
  page?: boolean;
  limits?: Partial<ServerLimits>;
  /** fastify request logging (default off). */
  logger?: boolean;
}

interface SearchBody {
  query: string;
  k?: number;
  model?: string;
}
interface BatchBody {
  queries: string[];
  k?: number;
  model?: string;
}
interface ExplainBody {
  query: string;
  docno: string;
  model?: string;
  plan?: boolean;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The page's files: next to this module in the sources, or in the package's src/ when running from dist/. */
function pageDir(): string {
  const candidates = [
    fileURLToPath(new URL("./page/", import.meta.url)),
    fileURLToPath(new URL("../../../src/server/page/", import.meta.url)),
  ];
  const dir = candidates.find((d) => existsSync(join(d, "index.html")));
  if (!dir)
    throw new XlirError("NOT_FOUND", `search page assets not found (looked in ${candidates.join(", ")})`);
  return dir;
}

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/assets/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
  "/assets/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
};

function modelKindLabel(m: ServedModel, docEncoder: OnnxEncoder | null): "late-interaction" | "bm25" | null {
  if (m.kind === "bm25") return m.analyzer ? "bm25" : null;
  return m.tokenEncoder && docEncoder ? "late-interaction" : null;
}

/**
 * Builds the fastify app (not listening yet: call `listen`, or `inject` in tests).
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, createServer, saveBm25, Searcher } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const docs = [
 *   { id: "d1", title: "Printing", text: "print a document" },
 *   { id: "d2", title: "Saving", text: "save a file to disk" },
 * ];
 * await saveBm25(Bm25Index.build(docs), join(dir, "bm25"));
 * const searcher = await Searcher.open(join(dir, "bm25"), null);
 * const app = createServer({ searcher, page: false, limits: { maxK: 5 } });
 * const r = await app.inject({ method: "POST", url: "/search", payload: { query: "saving files", k: 1 } });
 * const body = r.json() as { model: string; results: Array<{ rank: number; docno: string }> };
 * console.assert(r.statusCode === 200 && body.model === "default" && body.results[0].docno === "d2");
 * // requests are validated: k over the limit is a 400 with a message
 * const bad = await app.inject({ method: "POST", url: "/search", payload: { query: "file", k: 6 } });
 * console.assert(bad.statusCode === 400 && typeof bad.json().error === "string");
 * await app.close();
 * searcher.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export function createServer(o: CreateServerOptions): FastifyInstance {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const models = [
    ...(o.models ?? []),
    ...(o.searcher ? [searcherModel("default", "model", o.searcher)] : []),
  ];
  if (models.length === 0) throw new XlirError("USAGE", "the server needs at least one model");
  const byName = new Map(models.map((m) => [m.name, m]));
  if (byName.size !== models.length)
    throw new XlirError("USAGE", `model names must be unique: ${models.map((m) => m.name).join(", ")}`);
  const defaultModel = o.defaultModel ?? models[0].name;
  if (!byName.has(defaultModel))
    throw new XlirError(
      "USAGE",
      `default model '${defaultModel}' is not one of ${models.map((m) => m.name).join(", ")}`,
    );
  const index = o.index ?? o.searcher?.summary;
  if (!index) throw new XlirError("USAGE", "the server needs the index summary (index) or a searcher");
  const corpus = o.corpus ?? null;
  const docEncoder = o.docEncoder ?? null;
  const epsilon = o.epsilon ?? 0.02;
  const names = models.map((m) => m.name);

  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: limits.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Strict validation: no type coercion ("k": "5" or "query": 42 are refused), unknown fields refused.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  app.setErrorHandler((err: FastifyError | XlirError | Error, _req, reply) => {
    if (err instanceof XlirError)
      return reply.code(err.httpStatus).send({ error: err.message, code: err.code });
    const status = (err as FastifyError).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: err.message, code: (err as FastifyError).code ?? "BAD_REQUEST" });
    }
    app.log.error(err);
    return reply.code(500).send({ error: "internal error", code: "INTERNAL" });
  });

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    reply.header("cross-origin-resource-policy", "same-origin");
    return payload;
  });

  if (o.page ?? true) {
    const dir = pageDir();
    for (const [route, f] of Object.entries(PAGE_FILES)) {
      const body = readFileSync(join(dir, f.file));
      app.get(route, async (_req, reply) =>
        reply.type(f.type).header("cache-control", "no-cache").send(body),
      );
    }
  }

  const modelsInfo = () =>
    models.map((m) => ({ name: m.name, role: m.role, kind: m.kind, explain: modelKindLabel(m, docEncoder) }));

  app.get("/health", async () => ({ status: "ok", index, models: names }));

  app.get("/models", async () => ({
    models: modelsInfo(),
    default: defaultModel,
    index: { kind: index.kind, docCount: index.docCount },
    corpus: corpus ? { docs: corpus.size } : null,
    limits: {
      maxK: limits.maxK,
      defaultK: limits.defaultK,
      maxQueryChars: limits.maxQueryChars,
      maxBatch: limits.maxBatch,
    },
  }));

  const schemas = routeSchemas(limits, names);

  const pick = (name: string | undefined): ServedModel => byName.get(name ?? defaultModel) as ServedModel; // enum-validated
  const nonBlank = (q: string, where: string): string => {
    const t = q.trim();
    if (t === "") throw new XlirError("BAD_INPUT", `${where} must contain non-whitespace text`);
    return t;
  };
  const withText = (hits: readonly DocHit[], query: string) =>
    hits.map((h, i) => {
      const d = corpus?.get(h.docno);
      return {
        rank: i + 1,
        docno: h.docno,
        score: h.score,
        title: d ? d.title : null,
        snippet: d ? makeSnippet(d.text, query, limits.snippetChars) : null,
      };
    });
  /** /search and /search/batch: the request's model (else the default) and k; one hit list per text, in order. */
  const searchTexts = async (texts: readonly string[], body: { model?: string; k?: number }) => {
    const model = pick(body.model);
    const run = await model.search(
      texts.map((text, i) => ({ qid: String(i), text })),
      body.k ?? limits.defaultK,
    );
    return { model: model.name, results: texts.map((q, i) => withText(run.get(String(i)) ?? [], q)) };
  };

  app.post<{ Body: SearchBody }>("/search", { schema: schemas.search }, async (req) => {
    const t = performance.now();
    const r = await searchTexts([nonBlank(req.body.query, "body/query")], req.body);
    return { model: r.model, results: r.results[0], took_ms: performance.now() - t };
  });

  app.post<{ Body: BatchBody }>("/search/batch", { schema: schemas.batch }, async (req) => {
    const t = performance.now();
    const texts = req.body.queries.map((q, i) => nonBlank(q, `body/queries/${i}`));
    const r = await searchTexts(texts, req.body);
    return {
      model: r.model,
      queries: texts.map((query, i) => ({ query, results: r.results[i] })),
      took_ms: performance.now() - t,
    };
  });

  app.post<{ Body: ExplainBody }>(
    "/explain",
    { schema: schemas.explain },
    async (req): Promise<Explanation & { model: string; docno: string; took_ms: number }> => {
      const t = performance.now();
      const query = nonBlank(req.body.query, "body/query");
      const model = pick(req.body.model);
      if (!corpus)
        throw new XlirError(
          "UNSUPPORTED",
          "explanations need the documents' text: start the server with a corpus (--corpus FILE or --experiment DIR)",
        );
      const doc = corpus.get(req.body.docno);
      if (!doc) throw new XlirError("NOT_FOUND", "body/docno is not a document of the corpus");
      let e: Explanation;
      if (model.kind === "bm25") {
        if (!model.analyzer)
          throw new XlirError(
            "UNSUPPORTED",
            `model '${model.name}' (a BM25 index folder) gives no term explanations; serve BM25 built from the corpus (--bm25)`,
          );
        if (req.body.plan)
          throw new XlirError(
            "UNSUPPORTED",
            `model '${model.name}' is BM25: there are no token vectors to transport`,
          );
        e = explainBm25({ query, doc, analyzer: model.analyzer });
      } else {
        if (!model.tokenEncoder)
          throw new XlirError(
            "UNSUPPORTED",
            `model '${model.name}' has no late-interaction (colbert) head: no token matches to show`,
          );
        if (!docEncoder)
          throw new XlirError(
            "UNSUPPORTED",
            "explanations need the model that built the index (load it with --model; its hash is the index's encoderHash)",
          );
        e = await explainLateInteraction({
          query,
          doc,
          queryEncoder: model.tokenEncoder,
          docEncoder,
          plan: req.body.plan
            ? { epsilon, title: `OT plan, ε = ${epsilon}: ${model.name} query tokens → document ${doc.id}` }
            : undefined,
        });
      }
      return { model: model.name, docno: doc.id, ...e, took_ms: performance.now() - t };
    },
  );
  return app;
}
