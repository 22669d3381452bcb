/**
 * A student with its own tokenizer (XLM-R, SentencePiece) distilled from a ColBERT-layout teacher
 * (WordPiece): OT and contrastive train across the two tokenisations, the saved student records
 * both tokenizers and searches the teacher's index; a head whose dimension disagrees with the
 * index is refused.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildVectorIndex } from "../../src/index/build.js";
import { loadHfFolder, type HfModel } from "../../src/models/hf.js";
import { saveHfFolder } from "../../src/models/hf-save.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { HeadConfig, TokenVectors } from "../../src/models/types.js";
import { Searcher } from "../../src/search/searcher.js";
import { trainStudent, type DistillPair } from "../../src/train/distill.js";
import { encodeTokenVectors } from "../../src/train/encode-cache.js";

const FIX = path.join(__dirname, "../fixtures");
const BITEXT: [string, string][] = [
  ["Kaixo mundua", "Hello world"],
  ["Bilatzaileak dokumentuak sailkatzen ditu", "Search engines rank documents"],
  ["Euskara hizkuntza zaharra da", "Basque is an old language"],
  ["Zer moduz zaude gaur?", "How are you today?"],
  ["Hizkuntza gutxituak", "Low resource languages"],
  ["Azeri arre azkarra", "The quick brown fox"],
  ["Txakur alferra", "The lazy dog"],
  ["Dokumentu ingelesak aurkitzen ditu", "It finds English documents"],
];
const DOCS = [
  "The quick brown fox jumped over the lazy dog.",
  "Hello, world!",
  "Low resource language search.",
  "Search engines rank documents by relevance.",
];

let tmp: string;
let teacher: HfModel;
let english: TokenVectors;
const pairs: DistillPair[] = BITEXT.map(([foreign, en], i) => ({ foreign, english: en, englishIndex: i }));
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-student-tok-"));
  teacher = await loadHfFolder(path.join(FIX, "tiny-colbert"));
  const enc = TorchEncoder.fromHfModel(teacher).freeze();
  english = encodeTokenVectors(
    enc,
    teacher.tokenizer,
    BITEXT.map((p) => p[1]),
    { maxLength: 64, role: "query" },
  );
  enc.free();
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function train(loss: string, head: HeadConfig, steps = 12): Promise<{ dir: string; losses: number[] }> {
  const init = await loadHfFolder(path.join(FIX, "tiny-xlmr"));
  expect(init.tokenizerHash).not.toBe(teacher.tokenizerHash);
  const student = TorchEncoder.fromWeights(init.config, init.weights, head, null, { dropout: 0 }).unfreeze();
  const optim = {
    steps,
    batchSize: 4,
    learningRate: 3e-3,
    warmupSteps: 0,
    weightDecay: 0,
    clipNorm: 1,
    accumulate: 1,
    checkpointEvery: 0,
  };
  const r =
    steps > 0
      ? trainStudent({
          student,
          studentTokenizer: init.tokenizer,
          pairs,
          teacherEnglish: english,
          loss,
          lossOptions: {},
          optim,
          maxLength: 32,
          seed: 3,
          config: { loss },
        })
      : { losses: [] };
  const dir = path.join(tmp, `student-${loss}-${head.dim}`);
  await saveHfFolder(dir, {
    config: student.config,
    weights: student.namedWeights(),
    tokenizerJson: init.tokenizer.json,
    head,
    headWeights: student.headWeights(),
    indexEncoderHash: teacher.hash,
    indexTokenizerHash: teacher.tokenizerHash,
  });
  student.free();
  return { dir, losses: r.losses };
}

describe("student with its own tokenizer", () => {
  it("OT and contrastive train across tokenisations; the student records both tokenizers and searches the teacher's index", async () => {
    // every query of the teacher has query_maxlen (12) vectors: [CLS] [Q] ... [SEP] + [MASK]s
    expect(Array.from(english.offsets.slice(1)).map((o, i) => o - english.offsets[i])).toEqual(
      BITEXT.map(() => 12),
    );
    const indexDir = path.join(tmp, "index");
    const tDocs = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-colbert"), {
      threads: 1,
      onnxCache: false,
    });
    await buildVectorIndex({
      kind: "multi-exact",
      out: indexDir,
      encoder: tDocs,
      docs: DOCS.map((text, i) => ({ id: `d${i}`, title: "", text })),
    });
    await tDocs.dispose();
    for (const loss of ["ot", "contrastive"]) {
      const { dir, losses } = await train(loss, { kind: "colbert", dim: 16, pooling: "cls" });
      expect(losses).toHaveLength(12);
      expect(losses.every(Number.isFinite)).toBe(true);
      const head = JSON.parse(await fs.readFile(path.join(dir, "xlir.json"), "utf8"));
      expect(head).toMatchObject({
        index_encoder: teacher.hash,
        index_tokenizer_sha256: teacher.tokenizerHash,
      });
      const enc = await OnnxEncoder.fromFolder(dir, { threads: 1, onnxCache: false });
      expect(enc.tokenizerHash).toBe(head.tokenizer_sha256);
      expect(enc.indexTokenizerHash).toBe(teacher.tokenizerHash);
      const s = await Searcher.open(indexDir, enc);
      const run = await s.search([{ qid: "q1", text: "Kaixo mundua" }], 3);
      s.close();
      await enc.dispose();
      expect(run.get("q1")).toHaveLength(3);
    }
  });

  it("a student head whose dimension disagrees with the index is refused", async () => {
    const indexDir = path.join(tmp, "index-dim");
    const tDocs = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-colbert"), {
      threads: 1,
      onnxCache: false,
    });
    await buildVectorIndex({
      kind: "multi-exact",
      out: indexDir,
      encoder: tDocs,
      docs: DOCS.map((text, i) => ({ id: `d${i}`, title: "", text })),
    });
    await tDocs.dispose();
    await expect(train("ot", { kind: "colbert", dim: 8, pooling: "cls" })).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(/8-d vectors, the teacher's 16-d/),
    });
    const { dir } = await train("ot", { kind: "colbert", dim: 8, pooling: "cls" }, 0);
    const enc = await OnnxEncoder.fromFolder(dir, { threads: 1, onnxCache: false });
    await expect(Searcher.open(indexDir, enc)).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(/holds 16-d vectors, the query encoder produces 8-d vectors/),
    });
    await enc.dispose();
    // and xlir.json's dim disagreeing with the head weights is refused at load
    const head = JSON.parse(await fs.readFile(path.join(dir, "xlir.json"), "utf8"));
    await fs.writeFile(path.join(dir, "xlir.json"), JSON.stringify({ ...head, dim: 16 }));
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(
        /xlir_head\.safetensors: weight 'linear\.weight' has shape \[8, 32\], expected \[16, 32\]/,
      ),
    });
  });
});
