import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildVectorIndex } from "../../src/index/build.js";
import { Searcher } from "../../src/search/searcher.js";
import { createServer } from "../../src/server/server.js";
import { HashEncoder, toyCorpus } from "../index/hash-encoder.js";

let root: string;
let app: FastifyInstance;
let searcher: Searcher;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "xlir-server-"));
  const enc = new HashEncoder(32);
  await buildVectorIndex({ kind: "multi-exact", out: join(root, "idx"), encoder: enc, docs: toyCorpus(60) });
  searcher = await Searcher.open(join(root, "idx"), enc);
  app = createServer({ searcher, limits: { maxK: 50, maxQueryChars: 100, bodyLimit: 1024 } });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

const post = (payload: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  app.inject({ method: "POST", url: "/search", payload: typeof payload === "string" ? payload : JSON.stringify(payload), headers });

describe("search server", () => {
  it("GET /health reports the index", async () => {
    const r = await app.inject({ method: "GET", url: "/health" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "ok", index: { kind: "multi-exact", docCount: 60, dim: 32, encoderHash: new HashEncoder(32).hash } });
  });

  it("POST /search returns k ranked results equal to the library's", async () => {
    const r = await post({ query: "river mountain", k: 5 });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { results: Array<{ docno: string; score: number; rank: number }>; took_ms: number };
    expect(body.results.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
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
  ])("400 with a message for %s", async (_name, payload, word) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(400);
    const body = r.json() as { error: string };
    expect(typeof body.error).toBe("string");
    expect(body.error).toContain(word);
  });

  it("400 on malformed JSON and on a non-JSON body, 413 on an oversized body, 404 on unknown routes", async () => {
    expect((await post("{\"query\": ")).statusCode).toBe(400);
    expect((await post("query=x", { "content-type": "text/plain" })).statusCode).toBe(400);
    expect((await post("<q/>", { "content-type": "application/xml" })).statusCode).toBe(415);
    const big = await post({ query: "river", pad: "y".repeat(2000) });
    expect(big.statusCode).toBe(413);
    expect((await app.inject({ method: "GET", url: "/nope" })).statusCode).toBe(404);
  });
});
