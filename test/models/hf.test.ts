import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHfConfig, toHfConfig } from "../../src/models/config.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { saveHfFolder, toWritable } from "../../src/models/hf-save.js";
import { readSafetensors } from "../../src/models/safetensors.js";
import { writeSafetensors } from "../../src/models/safetensors-write.js";

const FIX = path.join(__dirname, "../fixtures");
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-hf-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copyFixture(name: string): Promise<string> {
  const dst = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  await fs.cp(path.join(FIX, name), dst, { recursive: true });
  return dst;
}

describe("loadHfFolder", () => {
  it("tiny-bert: config, prefix stripped, pooler/position_ids dropped, colbert head", async () => {
    const m = await loadHfFolder(path.join(FIX, "tiny-bert"));
    expect(m.config).toMatchObject({
      architecture: "bert",
      hiddenSize: 32,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 64,
      maxPositions: 64,
      positionOffset: 0,
      padTokenId: 0,
      hiddenAct: "gelu",
    });
    expect(m.weights.get("encoder.layer.1.output.dense.weight")!.shape).toEqual([32, 64]);
    expect(
      [...m.weights.keys()].some(
        (k) => k.startsWith("bert.") || k.startsWith("pooler.") || k.includes("position_ids"),
      ),
    ).toBe(false);
    expect(m.weights.size).toBe(5 + 2 * 16);
    expect(m.head).toEqual({ kind: "colbert", dim: 16, pooling: "cls" });
    expect(m.headWeights!.get("linear.weight")!.shape).toEqual([16, 32]);
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadHfFolder(path.join(FIX, "tiny-bert"))).hash).toBe(m.hash);
  });
  it("tiny-xlmr: positions offset by padding_idx + 1, no head", async () => {
    const m = await loadHfFolder(path.join(FIX, "tiny-xlmr"));
    expect(m.config).toMatchObject({
      architecture: "xlm-roberta",
      padTokenId: 1,
      positionOffset: 2,
      typeVocabSize: 1,
      layerNormEps: 1e-5,
    });
    expect(m.head).toBeNull();
    expect(m.headWeights).toBeNull();
    expect(m.tokenizer.padId).toBe(1);
  });
  it("an unknown architecture lists the supported ones", async () => {
    const d = await copyFixture("tiny-bert");
    const cfg = JSON.parse(await fs.readFile(path.join(d, "config.json"), "utf8"));
    await fs.writeFile(path.join(d, "config.json"), JSON.stringify({ ...cfg, model_type: "gpt2" }));
    await expect(loadHfFolder(d)).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringMatching(
        /model_type "gpt2" is not supported \(supported: bert, xlm-roberta, roberta\)/,
      ),
    });
  });
  it("a shape mismatch names the tensor, its shape and the expected one", async () => {
    const d = await copyFixture("tiny-xlmr");
    const { tensors } = await readSafetensors(path.join(d, "model.safetensors"));
    tensors.set("encoder.layer.1.intermediate.dense.weight", {
      dtype: "F32",
      shape: [48, 32],
      data: new Float32Array(48 * 32),
    });
    await writeSafetensors(path.join(d, "model.safetensors"), toWritable(tensors));
    await expect(loadHfFolder(d)).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(
        /weight 'encoder\.layer\.1\.intermediate\.dense\.weight' has shape \[48, 32\], expected \[64, 32\]/,
      ),
    });
  });
  it("missing weight, missing files, bad config values", async () => {
    const d = await copyFixture("tiny-xlmr");
    const { tensors } = await readSafetensors(path.join(d, "model.safetensors"));
    tensors.delete("embeddings.LayerNorm.bias");
    await writeSafetensors(path.join(d, "model.safetensors"), toWritable(tensors));
    await expect(loadHfFolder(d)).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(/missing weight 'embeddings\.LayerNorm\.bias'/),
    });
    await fs.rm(path.join(d, "model.safetensors"));
    await expect(loadHfFolder(d)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/model\.safetensors: no such file/),
    });
    await expect(loadHfFolder(path.join(tmp, "nothing-here"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(() =>
      parseHfConfig({
        model_type: "bert",
        vocab_size: 10,
        hidden_size: 30,
        num_hidden_layers: 1,
        num_attention_heads: 4,
        intermediate_size: 8,
        max_position_embeddings: 8,
      }),
    ).toThrow(/not a multiple/);
    expect(() => parseHfConfig({ model_type: "bert", vocab_size: -1 })).toThrow(/vocab_size/);
  });
});

describe("saveHfFolder", () => {
  it("round trip: same config, weights, tokenizer and head; HF field names; no temp folder left", async () => {
    const src = await loadHfFolder(path.join(FIX, "tiny-bert"));
    const out = path.join(tmp, "saved-bert");
    await saveHfFolder(out, {
      config: src.config,
      weights: src.weights,
      tokenizerJson: src.tokenizer.json,
      head: src.head,
      headWeights: src.headWeights,
    });
    await saveHfFolder(out, {
      config: src.config,
      weights: src.weights,
      tokenizerJson: src.tokenizer.json,
      head: src.head,
      headWeights: src.headWeights,
    }); // replaces
    const back = await loadHfFolder(out);
    expect(back.config).toEqual(src.config);
    expect(back.head).toEqual(src.head);
    for (const [k, w] of src.weights)
      expect(Array.from(back.weights.get(k)!.data)).toEqual(Array.from(w.data));
    expect(Array.from(back.headWeights!.get("linear.bias")!.data)).toEqual(
      Array.from(src.headWeights!.get("linear.bias")!.data),
    );
    const cfg = JSON.parse(await fs.readFile(path.join(out, "config.json"), "utf8"));
    const orig = JSON.parse(await fs.readFile(path.join(FIX, "tiny-bert", "config.json"), "utf8"));
    for (const k of [
      "model_type",
      "vocab_size",
      "hidden_size",
      "num_hidden_layers",
      "num_attention_heads",
      "intermediate_size",
      "max_position_embeddings",
      "type_vocab_size",
      "layer_norm_eps",
      "pad_token_id",
      "hidden_act",
    ]) {
      expect(cfg[k]).toEqual(orig[k]);
    }
    expect(await fs.readdir(tmp)).not.toContainEqual(expect.stringMatching(/saved-bert\.(tmp|old)-/));
    expect(toHfConfig(src.config).architectures).toEqual(["BertModel"]);
  });
  it("F16 / BF16 storage: weights come back as the rounded float32 values", async () => {
    const src = await loadHfFolder(path.join(FIX, "tiny-xlmr"));
    for (const dtype of ["F16", "BF16"] as const) {
      const out = path.join(tmp, `saved-${dtype}`);
      await saveHfFolder(out, {
        config: src.config,
        weights: src.weights,
        tokenizerJson: src.tokenizer.json,
        dtype,
      });
      const back = await loadHfFolder(out);
      const w = back.weights.get("encoder.layer.0.attention.self.query.weight")!;
      expect(w.dtype).toBe(dtype);
      const orig = src.weights.get("encoder.layer.0.attention.self.query.weight")!.data;
      const rel = dtype === "F16" ? 2 ** -11 : 2 ** -8; // half an ulp, relative
      orig.forEach((v, i) => expect(Math.abs(w.data[i] - v)).toBeLessThanOrEqual(Math.abs(v) * rel + 1e-7));
      expect(Array.from(w.data).some((v, i) => v !== orig[i])).toBe(true);
    }
  });
});
