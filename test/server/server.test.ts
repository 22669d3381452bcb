import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildVectorIndex } from "../../src/index/build.js";
import { Searcher } from "../../src/search/searcher.js";
import { Bm25Index } from "../../src/index/bm25.js";
import { bm25Model, CorpusStore, searcherModel } from "../../src/server/catalog.js";
import { createServer } from "../../src/server/server.js";
import { HashEncoder, toyCorpus } from "../index/hash-encoder.js";
import { EVIL_TEXT, EVIL_TITLE, postJson } from "./fixture.js";

let root: string;
let app: FastifyInstance;
let searcher: Searcher;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "xlir-server-"));
  const enc = new HashEncoder(32);
  const docs = [...toyCorpus(60), { id: "evil-1", title: EVIL_TITLE, text: EVIL_TEXT }];
  await buildVectorIndex({ kind: "multi-exact", out: join(root, "idx"), encoder: enc, docs });
  searcher = await Searcher.open(join(root, "idx"), enc);
  app = createServer({
    models: [
      searcherModel("default", "model", searcher),
      bm25Model("bm25", Bm25Index.build(docs, { analyzer: "en" })),
    ],
    index: searcher.summary,
    corpus: CorpusStore.fromDocs(docs),
    limits: { maxK: 50, maxQueryChars: 100, bodyLimit: 1024, maxBatch: 4 },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

const post = (payload: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  app.inject({
    method: "POST",
    url: "/search",
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    headers,
  });

describe("search server", () => {
  it("GET /health reports the index", async () => {
    const r = await app.inject({ method: "GET", url: "/health" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: "ok",
      models: ["default", "bm25"],
      index: { kind: "multi-exact", docCount: 61, dim: 32, encoderHash: new HashEncoder(32).hash },
    });
  });

  it("POST /search returns k ranked results equal to the library's", async () => {
    const r = await post({ query: "river mountain", k: 5 });
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      model: string;
      results: Array<{ docno: string; score: number; rank: number; title: string; snippet: string }>;
      took_ms: number;
    };
    expect(body.model).toBe("default");
    expect(body.results.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
    const docs = new Map(toyCorpus(60).map((d) => [d.id, d]));
    for (const x of body.results) {
      expect(x.title).toBe(docs.get(x.docno)?.title);
      expect(x.snippet).toBe(docs.get(x.docno)?.text); // short texts: the whole text
    }
    const lib = await searcher.searchText("river mountain", 5);
    expect(body.results.map((x) => x.docno)).toEqual(lib.map((h) => h.docno));
    expect(body.took_ms).toBeGreaterThanOrEqual(0);
    const d = await post({ query: "river" });
    expect((d.json() as { results: unknown[] }).results).toHaveLength(10); // default k
  });

  it.each([
    ["missing query", { k: 3 }, "query"],
    ["empty query", { query: "" }, "query"],
    ["whitespace query", { query: "   " }, "query"],
    ["too long query", { query: "x".repeat(101) }, "query"],
    ["k = 0", { query: "river", k: 0 }, "k"],
    ["k over the limit", { query: "river", k: 51 }, "k"],
    ["k not an integer", { query: "river", k: 2.5 }, "k"],
    ["query not a string", { query: 42 }, "query"],
    ["unknown field", { query: "river", extra: 1 }, ""],
    ["unknown model", { query: "river", model: "../../etc/passwd" }, "model"],
    ["model not a string", { query: "river", model: 3 }, "model"],
  ])("400 with a message for %s", async (_name, payload, word) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(400);
    const body = r.json() as { error: string };
    expect(typeof body.error).toBe("string");
    expect(body.error).toContain(word);
  });

  it("400 on malformed JSON and on a non-JSON body, 413 on an oversized body, 404 on unknown routes", async () => {
    expect((await post('{"query": ')).statusCode).toBe(400);
    expect((await post("query=x", { "content-type": "text/plain" })).statusCode).toBe(400);
    expect((await post("<q/>", { "content-type": "application/xml" })).statusCode).toBe(415);
    const big = await post({ query: "river", pad: "y".repeat(2000) });
    expect(big.statusCode).toBe(413);
    expect((await app.inject({ method: "GET", url: "/nope" })).statusCode).toBe(404);
  });

  it("GET /models lists the models, the default and the limits", async () => {
    const r = await app.inject({ method: "GET", url: "/models" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      models: [
        { name: "default", role: "model", kind: "vector", explain: null },
        { name: "bm25", role: "bm25", kind: "bm25", explain: "bm25" },
      ],
      default: "default",
      index: { kind: "multi-exact", docCount: 61 },
      corpus: { docs: 61 },
      limits: { maxK: 50, defaultK: 10, maxQueryChars: 100, maxBatch: 4 },
    });
  });

  it("the model named in the request answers; BM25 finds the literal word", async () => {
    const r = await post({ query: "onerror", k: 3, model: "bm25" });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { model: string; results: Array<{ docno: string }> };
    expect(body.model).toBe("bm25");
    expect(body.results[0].docno).toBe("evil-1");
  });

  it("POST /search/batch equals one /search per query, in order", async () => {
    const queries = ["river mountain", "music", "garden winter"];
    const r = await postJson(app, "/search/batch", { queries, k: 4 });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { model: string; queries: Array<{ query: string; results: unknown[] }> };
    expect(body.queries.map((q) => q.query)).toEqual(queries);
    for (const [i, q] of queries.entries()) {
      const one = (await post({ query: q, k: 4 })).json() as { results: unknown[] };
      expect(body.queries[i].results).toEqual(one.results);
    }
  });

  it.each([
    ["no queries", { queries: [] }, "queries"],
    ["too many queries", { queries: ["a", "b", "c", "d", "e"] }, "queries"],
    ["a blank query", { queries: ["river", "  "] }, "queries/1"],
    ["a query not a string", { queries: ["river", 5] }, "queries"],
    ["queries not an array", { queries: "river" }, "queries"],
    ["unknown model", { queries: ["river"], model: "nope" }, "model"],
  ])("/search/batch: 400 for %s", async (_name, payload, word) => {
    const r = await postJson(app, "/search/batch", payload);
    expect(r.statusCode).toBe(400);
    expect((r.json() as { error: string }).error).toContain(word);
  });

  it("/explain: BM25 term matches as segments of the document's own text; validation as /search", async () => {
    const r = await postJson(app, "/explain", { query: "river music", docno: "d0000", model: "bm25" });
    expect(r.statusCode).toBe(200);
    const e = r.json() as {
      kind: string;
      docno: string;
      query_tokens: Array<{ token: string; match: string | null }>;
      title: Array<{ text: string; hits: number[] }>;
      text: Array<{ text: string; hits: number[] }>;
    };
    expect(e.kind).toBe("bm25");
    const d0 = toyCorpus(1)[0];
    expect(e.title.map((s) => s.text).join("")).toBe(d0.title);
    expect(e.text.map((s) => s.text).join("")).toBe(d0.text);
    const river = e.query_tokens.findIndex((t) => t.token === "river");
    expect(e.query_tokens[river].match).toBe("river");
    expect(e.title.find((s) => s.hits.includes(river))?.text).toBe("river");
    const status = async (payload: object) => (await postJson(app, "/explain", payload)).statusCode;
    expect(await status({ query: "river", docno: "nope", model: "bm25" })).toBe(404);
    for (const payload of [
      { query: "river", docno: "d0000", model: "zzz" },
      { query: "river", docno: "d0000", extra: 1 },
      { query: "river", docno: "d0000", plan: "yes" },
      { query: "river", docno: "d0000", model: "bm25", plan: true },
    ])
      expect(await status(payload), JSON.stringify(payload)).toBe(400);
    // a vector model without token vectors (a single encoder given as a Searcher) says why it cannot explain
    const v = await postJson(app, "/explain", { query: "river", docno: "d0000" });
    expect(v.statusCode).toBe(400);
    expect((v.json() as { error: string }).error).toContain("late-interaction");
  });

  it("corpus text with HTML and <script> leaves as JSON strings, byte for byte; responses carry a strict CSP", async () => {
    const r = await post({ query: "onerror", k: 1, model: "bm25" });
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(String(r.headers["content-security-policy"])).toContain("script-src 'self'");
    const hit = (JSON.parse(r.body) as { results: Array<{ title: string; snippet: string }> }).results[0];
    expect(hit.title).toBe(EVIL_TITLE);
    expect(hit.snippet).toBe(EVIL_TEXT);
    const e = JSON.parse(
      (await postJson(app, "/explain", { query: "onerror", docno: "evil-1", model: "bm25" })).body,
    ) as { title: Array<{ text: string }>; text: Array<{ text: string }> };
    expect(e.title.map((s) => s.text).join("")).toBe(EVIL_TITLE);
    expect(e.text.map((s) => s.text).join("")).toBe(EVIL_TEXT);
  });

  it("serves the page and its assets from the package, nothing from elsewhere", async () => {
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="/assets/app.js">');
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const a of ["/assets/app.js", "/assets/app.css", "/assets/favicon.svg"])
      expect((await app.inject({ method: "GET", url: a })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/assets/../server.ts" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/assets/%2e%2e/server.ts" })).statusCode).toBe(404);
  });
});
