/**
 * A tiny experiment output folder made from test/fixtures/tiny-bert, laid out like `xlir
 * experiment` writes it (config.json, stages/teacher|student-ot-seed13/{stage.json,model},
 * indexes/toy), with a corpus whose words the tiny tokenizer knows and one document whose title and
 * text carry HTML and <script> (the escaping tests).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { CorpusDoc } from "../../src/data/corpus.js";
import { writeCorpusJsonl } from "../../src/data/corpus.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { buildVectorIndex } from "../../src/index/build.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { saveHfFolder } from "../../src/models/hf-save.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import type { NamedWeights } from "../../src/models/types.js";
import { createServer } from "../../src/server/server.js";
import { experimentServeOptions, openServeSetup, type ServeSetup } from "../../src/server/setup.js";
import { Mulberry32 } from "../../src/util/random.js";

export const TINY_BERT = resolve(import.meta.dirname, "../fixtures/tiny-bert");

export const EVIL_TITLE = `<img src=x onerror="window.__xss=1"><b>Bold</b> onerror title`;
export const EVIL_TEXT = `<script>window.__xss=2</script> hello <i>world</i> & "quotes" onerror search`;

/** Documents written with the tiny vocabulary (whole-word tokens: the, quick, fox, search, language, …). */
export function toyDocs(): CorpusDoc[] {
  const docs: Array<[string, string]> = [
    ["The quick brown fox", "the quick brown fox jumped over the lazy dog"],
    ["Hello world", "hello world, a first document about the world"],
    ["Search a query", "search query document token: a document is found by a query"],
    ["Low resource language", "a low resource language has little text; search in a low resource language"],
    ["Running", "the runner is running over the world"],
    ["Cafe", "a cafe with a lazy dog and a quick fox"],
    ["Tokenize", "tokenize a document into token pieces before search"],
    ["Unaffable", "an unaffable runner said yes to the cafe"],
    ["Dogs and foxes", "the lazy dog and the brown fox are friends"],
    ["Query language", "a query language for document search"],
    ["World cafe", "hello cafe world, yes"],
    ["Jumping", "jumping over the dog, the fox jumped"],
  ];
  return [
    ...docs.map(([title, text], i) => ({ id: `doc-${String(i + 1).padStart(2, "0")}`, title, text })),
    { id: "evil-1", title: EVIL_TITLE, text: EVIL_TEXT },
  ];
}

function perturbed(w: NamedWeights, seed: number, std: number): NamedWeights {
  const r = new Mulberry32(seed);
  const out: NamedWeights = new Map();
  for (const [k, t] of w) out.set(k, { ...t, data: t.data.map((x) => x + std * (2 * r.next() - 1)) });
  return out;
}

export interface ToyExperiment {
  dir: string;
  corpus: string;
  teacherHash: string;
}

/** Writes the toy experiment folder under `root` and returns where things are. */
export async function makeToyExperiment(root: string): Promise<ToyExperiment> {
  const dir = join(root, "exp");
  const corpus = join(root, "corpus.jsonl");
  await mkdir(dir, { recursive: true });
  await writeCorpusJsonl(corpus, toyDocs());
  await writeFile(join(root, "queries.tsv"), "q1\thello world\n");
  await writeFile(join(root, "qrels.txt"), "q1 0 doc-02 1\n");
  const config = parseExperimentConfig({
    data: {
      builtin: false,
      benchmarks: [
        {
          name: "toy",
          corpus,
          languages: [{ language: "eu", queries: join(root, "queries.tsv"), qrels: join(root, "qrels.txt") }],
        },
      ],
    },
    students: { losses: ["ot"] },
  });
  await writeFile(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");

  const teacher = await loadHfFolder(TINY_BERT);
  const tokenizerJson = teacher.tokenizer.json;
  const stage = async (
    name: string,
    weights: NamedWeights,
    headWeights: NamedWeights | null,
    indexEncoderHash?: string,
  ): Promise<string> => {
    const sdir = join(dir, "stages", name);
    const model = join(sdir, "model");
    await saveHfFolder(model, {
      config: teacher.config,
      weights,
      tokenizerJson,
      head: teacher.head,
      headWeights,
      indexEncoderHash,
    });
    const hash = (await loadHfFolder(model)).hash;
    await writeFile(
      join(sdir, "stage.json"),
      JSON.stringify({ name, hash: "toy", done: true, seconds: 1, result: { dir: model, hash, losses: [] } }),
    );
    return hash;
  };
  const teacherHash = await stage("teacher", teacher.weights, teacher.headWeights);
  await stage(
    "student-ot-seed13",
    perturbed(teacher.weights, 7, 0.05),
    teacher.headWeights && perturbed(teacher.headWeights, 8, 0.05),
    teacherHash,
  );

  const enc = await OnnxEncoder.fromFolder(join(dir, "stages", "teacher", "model"), { maxLength: 64 });
  try {
    await buildVectorIndex({
      kind: "multi-exact",
      out: join(dir, "indexes", "toy"),
      encoder: enc,
      docs: toyDocs(),
      extraParams: { maxLength: 64 },
    });
  } finally {
    await enc.dispose();
  }
  return { dir, corpus, teacherHash };
}

/**
 * The toy experiment under `root`, opened as `xlir serve --experiment` opens it, and the app over it
 * (not yet ready or listening). The caller closes the app, then the setup.
 */
export async function serveToyExperiment(
  root: string,
): Promise<{ exp: ToyExperiment; setup: ServeSetup; app: FastifyInstance }> {
  const exp = await makeToyExperiment(root);
  const setup = await openServeSetup(experimentServeOptions(exp.dir));
  const app = createServer({
    models: setup.models,
    index: setup.index,
    defaultModel: setup.defaultModel,
    corpus: setup.corpus,
    docEncoder: setup.docEncoder,
    epsilon: setup.epsilon,
  });
  return { exp, setup, app };
}

/** POSTs a JSON body to `url` of the app (in process, no socket). */
export function postJson(
  app: FastifyInstance,
  url: string,
  payload: object,
): Promise<LightMyRequestResponse> {
  return app.inject({ method: "POST", url, payload });
}
