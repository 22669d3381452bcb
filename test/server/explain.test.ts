/**
 * Explanations and start-up from an experiment folder, on the real tiny-bert encoder: token spans
 * in the text, MaxSim matches whose sum is the index's score, the OT plan drawn by the report's
 * renderer, and the teacher + student + BM25 of an experiment served over one index.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { XlirError } from "../../src/errors.js";
import { tokenSpans, tokenSurface } from "../../src/server/explain.js";
import {
  experimentServeOptions,
  openServeSetup,
  parseModelSpec,
  type ServeSetup,
} from "../../src/server/setup.js";
import { postJson, serveToyExperiment, toyDocs, type ToyExperiment } from "./fixture.js";

let root: string;
let exp: ToyExperiment;
let setup: ServeSetup;
let app: FastifyInstance;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "xlir-explain-"));
  ({ exp, setup, app } = await serveToyExperiment(root));
  await app.ready();
});
/** POST /explain, expecting 200: the explanation, as the type the caller reads. */
async function explained<T>(payload: object): Promise<T> {
  const r = await postJson(app, "/explain", payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
}

afterAll(async () => {
  await app?.close();
  await setup?.close();
  await rm(root, { recursive: true, force: true });
});

describe("token spans", () => {
  it("finds WordPiece and SentencePiece tokens in the text, case and accents folded, specials and unknowns left out", () => {
    const text = "Café RUNNING, the ¿fox?";
    const tokens = ["[CLS]", "cafe", "running", ",", "the", "[UNK]", "fox", "?", "[SEP]"];
    const spans = tokenSpans(text, tokens, (i) => i === 0 || i === tokens.length - 1);
    expect(spans.map((s) => (s ? text.slice(s[0], s[1]) : null))).toEqual([
      null,
      "Café",
      "RUNNING",
      ",",
      "the",
      null,
      "fox",
      "?",
      null,
    ]);
    const sp = tokenSpans("an etxe handia", ["▁an", "▁et", "xe", "▁handi", "a"], () => false);
    expect(sp).toEqual([
      [0, 2],
      [3, 5],
      [5, 7],
      [8, 13],
      [13, 14],
    ]);
    expect(tokenSurface("##ing")).toBe("ing");
    expect(tokenSurface("Ġword")).toBe("word");
  });
});

describe("serving an experiment folder", () => {
  it("picks up the teacher, the students and BM25 over the benchmark's index, the student as default", async () => {
    const r = await app.inject({ method: "GET", url: "/models" });
    const body = r.json() as {
      models: Array<{ name: string; role: string; explain: string | null }>;
      default: string;
      corpus: { docs: number };
    };
    expect(body.models).toEqual([
      { name: "teacher", role: "teacher", kind: "vector", explain: "late-interaction" },
      { name: "ot", role: "student", kind: "vector", explain: "late-interaction" },
      { name: "bm25", role: "bm25", kind: "bm25", explain: "bm25" },
    ]);
    expect(body.default).toBe("ot");
    expect(body.corpus.docs).toBe(toyDocs().length);
    expect(setup.epsilon).toBe(0.02);
  });

  it("each model answers with its own encoder over the one index (concurrent requests do not mix)", async () => {
    const ask = (model: string) =>
      app
        .inject({ method: "POST", url: "/search", payload: { query: "the lazy dog", k: 13, model } })
        .then((r) => r.json() as { model: string; results: Array<{ docno: string; score: number }> });
    const [t1, s1, t2, s2] = await Promise.all([ask("teacher"), ask("ot"), ask("teacher"), ask("ot")]);
    expect(t1).toMatchObject({ model: "teacher" });
    expect(s1).toMatchObject({ model: "ot" });
    expect(t2.results).toEqual(t1.results);
    expect(s2.results).toEqual(s1.results);
    expect(s1.results.map((h) => h.score)).not.toEqual(t1.results.map((h) => h.score));
  });

  it("/explain: MaxSim matches per query token sum to the search score; highlights are pieces of the text", async () => {
    for (const model of ["teacher", "ot"]) {
      const hits = (await postJson(app, "/search", { query: "quick fox", k: 3, model })).json() as {
        results: Array<{ docno: string; score: number }>;
      };
      for (const h of hits.results) {
        const e = await explained<{
          kind: string;
          score: number;
          query_tokens: Array<{ token: string; match: string; doc_index: number; similarity: number }>;
          document_tokens: string[];
          title: Array<{ text: string; hits: number[] }>;
          text: Array<{ text: string; hits: number[] }>;
          truncated: boolean;
          plan: null;
        }>({ query: "quick fox", docno: h.docno, model });
        expect(e.kind).toBe("late-interaction");
        expect(e.score).toBeCloseTo(h.score, 4);
        expect(e.query_tokens.map((t) => t.token)).toEqual(["[CLS]", "quick", "fox", "[SEP]"]);
        for (const t of e.query_tokens) expect(e.document_tokens[t.doc_index]).toBe(t.match);
        expect(e.query_tokens.reduce((s, t) => s + t.similarity, 0)).toBeCloseTo(e.score, 5);
        const doc = toyDocs().find((d) => d.id === h.docno);
        expect(e.title.map((s) => s.text).join("")).toBe(doc?.title);
        const body = e.text.map((s) => s.text).join("");
        // the text as far as the model read it (64 tokens here)
        if (e.truncated)
          expect(body.length > 0 && doc?.text.startsWith(body) && body.length < (doc?.text.length ?? 0)).toBe(
            true,
          );
        else expect(body).toBe(doc?.text);
        expect(e.plan).toBeNull();
      }
    }
    // every query token's matched document token is highlighted where it stands in the text
    const e = await explained<{
      query_tokens: Array<{ match: string }>;
      title: Array<{ text: string; hits: number[] }>;
      text: Array<{ text: string; hits: number[] }>;
    }>({ query: "quick fox", docno: "doc-01", model: "teacher" });
    const marked = [...e.title, ...e.text].filter((s) => s.hits.length).map((s) => s.text.toLowerCase());
    const words = e.query_tokens.map((t) => t.match).filter((m) => !m.startsWith("["));
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(marked.some((m) => m.includes(tokenSurface(w)))).toBe(true);
  });

  it("/explain with plan: the OT plan between the token sets, drawn as the report's SVG heatmap", async () => {
    const e = await explained<{
      query_tokens: unknown[];
      document_tokens: string[];
      plan: { svg: string; epsilon: number; cost: number; converged: boolean };
    }>({ query: "hello world", docno: "doc-02", model: "ot", plan: true });
    expect(e.plan.epsilon).toBe(0.02);
    expect(e.plan.converged).toBe(true);
    expect(e.plan.svg.startsWith("<svg")).toBe(true);
    // one cell per (query token, document token), one outlined maximum per row
    expect(e.plan.svg.match(/<rect [^>]*stroke="#ddd"/g)).toHaveLength(
      e.query_tokens.length * e.document_tokens.length,
    );
    expect(e.plan.svg.match(/stroke="#d62728"/g)).toHaveLength(e.query_tokens.length);
    expect(e.plan.cost).toBeGreaterThan(0);
  });

  it("the experiment's own documents with HTML are explained as text, the SVG carries no markup from them", async () => {
    const e = await explained<{ plan: { svg: string } }>({
      query: "<b>hello</b> <script>",
      docno: "evil-1",
      model: "teacher",
      plan: true,
    });
    expect(e.plan.svg).not.toMatch(/<(script|b)[ >]/);
  });

  it("clear errors: not an experiment, unknown benchmark, bad model names", async () => {
    expect(() => experimentServeOptions(root)).toThrow(/not an experiment output folder/);
    expect(() => experimentServeOptions(exp.dir, { benchmark: "help" })).toThrow(
      /no index of benchmark 'help' \(it has toy\)/,
    );
    expect(parseModelSpec("ot=runs/x/model")).toEqual({ name: "ot", dir: "runs/x/model" });
    expect(parseModelSpec("runs/x/student/")).toEqual({ name: "student", dir: "runs/x/student/" });
    expect(() => parseModelSpec("runs/x/ bad name")).toThrow(XlirError);
    await expect(openServeSetup({ index: join(exp.dir, "indexes", "toy"), models: [] })).rejects.toThrow(
      /--model/,
    );
    await expect(
      openServeSetup({
        index: join(exp.dir, "indexes", "toy"),
        models: [{ name: "a", dir: "test/fixtures/tiny-xlmr" }],
      }),
    ).rejects.toThrow(/encoder/);
  });
});
