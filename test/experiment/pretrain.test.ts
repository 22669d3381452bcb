/**
 * The pre-training stage (MLM + TLM, `pretrain.enabled`) and the teacher that starts from it, on
 * the toy bitext with the tiny XLM-R tokenizer: an HF folder and the MLM head are written, the
 * teacher starts from the pre-trained weights, and a teacher brought by the user is refused beside it.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isTorchAvailable } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { parseExperimentConfig } from "../../src/experiment/config.js";
import { teacherStage } from "../../src/experiment/models.js";
import { adaptStage, pretrainStage } from "../../src/experiment/pretrain-stages.js";
import { prepareModels } from "../../src/experiment/pipeline.js";
import { StageRunner } from "../../src/experiment/stages.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { readSafetensors } from "../../src/models/safetensors.js";
import { TextTokenizer } from "../../src/text/tokenizer.js";
import { foreign, toyText, toyTuningData, TOY_WORDS } from "./toy.js";

const TOKENIZER = resolve("test/fixtures/tiny-xlmr/tokenizer.json");
const dir = mkdtempSync(join(tmpdir(), "xlir-pretrain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!isTorchAvailable())("pretrain stage", () => {
  const { sentence } = toyText(5, TOY_WORDS);
  const bitext = Array.from({ length: 48 }, () => {
    const english = sentence(5);
    return { foreign: foreign(english), english };
  });
  const teacherPairs = Array.from({ length: 24 }, (_, i) => ({
    query: sentence(2),
    document: sentence(8),
    documentId: i,
  }));
  const config = parseExperimentConfig({
    seeds: [3],
    data: { builtin: false },
    model: { layers: 1, hidden: 32, heads: 2, ffn: 64, dim: 16, maxPositions: 64 },
    pretrain: {
      enabled: true,
      optim: { steps: 30, batchSize: 8, learningRate: 3e-3, warmupSteps: 3 },
      maxLength: 32,
    },
    teacher: { optim: { steps: 3, batchSize: 8, weightDecay: 0 } },
  });
  const log = (): void => undefined;

  it("writes an HF encoder and the MLM head; the loss falls; the teacher starts from it", async () => {
    for (const d of ["pre", "teacher"]) mkdirSync(join(dir, d));
    const pre = await pretrainStage(config, TOKENIZER, bitext, teacherPairs, join(dir, "pre"), log);
    expect(pre.losses).toHaveLength(30);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(pre.losses.slice(-5))).toBeLessThan(mean(pre.losses.slice(0, 5)));
    const m = await loadHfFolder(pre.dir);
    expect(m.head).toBeNull();
    expect(m.config.hiddenSize).toBe(32);
    expect(m.hash).toBe(pre.hash);
    const head = (await readSafetensors(join(dir, "pre", "lm_head.safetensors"))).tensors;
    expect([...head.keys()].sort()).toEqual([
      "lm_head.bias",
      "lm_head.dense.bias",
      "lm_head.dense.weight",
      "lm_head.layer_norm.bias",
      "lm_head.layer_norm.weight",
    ]);
    expect(head.get("lm_head.bias")!.shape).toEqual([m.config.vocabSize]);

    // the teacher from the pre-trained weights: with no weight decay, the rows of tokens its English
    // pairs never use keep their pre-trained values exactly (a random start would not have them)
    const teacher = await teacherStage(config, TOKENIZER, teacherPairs, join(dir, "teacher"), log, pre.dir);
    const t = await loadHfFolder(teacher.dir);
    expect(t.head?.kind).toBe("colbert");
    const tok = await TextTokenizer.fromFile(TOKENIZER);
    const used = new Set<number>();
    for (const p of teacherPairs)
      for (const s of [p.query, p.document]) for (const id of tok.encodeOne(s, 128).ids) used.add(id);
    const H = 32;
    const a = m.weights.get("embeddings.word_embeddings.weight")!.data;
    const b = t.weights.get("embeddings.word_embeddings.weight")!.data;
    let unchanged = 0;
    let changed = 0;
    for (let id = 0; id < m.config.vocabSize; id++) {
      const same = Array.from({ length: H }, (_, j) => a[id * H + j] === b[id * H + j]).every(Boolean);
      if (used.has(id)) changed += same ? 0 : 1;
      else {
        expect(same, `token ${id}`).toBe(true);
        unchanged++;
      }
    }
    expect(unchanged).toBeGreaterThan(10);
    expect(changed).toBeGreaterThan(5);
  }, 120_000);

  it("adapts a trained teacher's word embeddings alone: body and retrieval head unchanged", async () => {
    for (const d of ["teacher0", "adapt"]) mkdirSync(join(dir, d));
    const teacher = await teacherStage(config, TOKENIZER, teacherPairs, join(dir, "teacher0"), log);
    const adapted = await adaptStage(
      { ...config, pretrain: { ...config.pretrain, start: "teacher" } },
      teacher.dir,
      bitext,
      teacherPairs,
      join(dir, "adapt"),
      log,
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(adapted.losses.slice(-5))).toBeLessThan(mean(adapted.losses.slice(0, 5)));
    const t = await loadHfFolder(teacher.dir);
    const a = await loadHfFolder(adapted.dir);
    expect(a.head).toEqual(t.head);
    const same = (x: Float32Array, y: Float32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
    for (const [name, w] of t.weights) {
      const changed = !same(w.data, a.weights.get(name)!.data);
      expect(changed, name).toBe(name === "embeddings.word_embeddings.weight");
    }
    for (const [name, w] of t.headWeights!)
      expect(same(w.data, a.headWeights!.get(name)!.data), name).toBe(true);
  }, 120_000);

  it("is refused beside a teacher the user brings", async () => {
    mkdirSync(join(dir, "toy"));
    const raw = toyTuningData(join(dir, "toy"));
    const c = parseExperimentConfig({ ...raw, workers: 1, pretrain: { enabled: true } });
    await expect(prepareModels(c, new StageRunner(join(dir, "toy", "out"), log), log)).rejects.toThrow(
      XlirError,
    );
    await expect(prepareModels(c, new StageRunner(join(dir, "toy", "out"), log), log)).rejects.toThrow(
      /teacher.model brings a teacher of its own/,
    );
  });

  it("adapting the teacher is refused for students that do not start from it", async () => {
    const raw = toyTuningData(join(dir, "toy"));
    const c = parseExperimentConfig({
      ...raw,
      workers: 1,
      pretrain: { enabled: true, start: "teacher" },
      students: { ...(raw.students as object), init: resolve("test/fixtures/tiny-bert") },
    });
    await expect(prepareModels(c, new StageRunner(join(dir, "toy", "out2"), log), log)).rejects.toThrow(
      /students that start from it, but students.init is/,
    );
  }, 120_000);

  it("is off by default", () => {
    expect(parseExperimentConfig({}).pretrain.enabled).toBe(false);
    expect(() => parseExperimentConfig({ pretrain: { enabled: true, maskProbability: 1 } })).toThrow(
      XlirError,
    );
  });
});
