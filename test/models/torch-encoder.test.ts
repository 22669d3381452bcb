/**
 * TorchEncoder (libtorch graph) vs a plain-torch reference forward of a tiny random BERT and XLM-R
 * (test/golden/engine/tiny-*, from scripts/dev/torch_encoder_ref.py): last hidden state, ColBERT
 * vectors and mean-pooled vectors within 1e-4 (float32 engine vs float64 reference).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { liveTensors, tidy } from "../../src/engine/index.js";
import { parseHfConfig } from "../../src/models/config.js";
import { readSafetensors } from "../../src/models/safetensors.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { EncoderConfig, NamedWeights } from "../../src/models/types.js";
import { XlirError } from "../../src/errors.js";

interface Ref {
  torch_version: string;
  B: number;
  L: number;
  dim: number;
  ids: number[];
  mask: number[];
  last_hidden_state: number[];
  colbert: number[];
  mean_pooled: number[];
}

const dir = (name: string) => new URL(`../golden/engine/${name}/`, import.meta.url).pathname;

async function load(
  name: string,
): Promise<{ config: EncoderConfig; weights: NamedWeights; head: NamedWeights; ref: Ref }> {
  const d = dir(name);
  const config = parseHfConfig(JSON.parse(readFileSync(d + "config.json", "utf8")), d + "config.json");
  const weights = (await readSafetensors(d + "model.safetensors")).tensors;
  const head = (await readSafetensors(d + "head.safetensors")).tensors;
  const ref = JSON.parse(readFileSync(d + "ref.json", "utf8")) as Ref;
  return { config, weights, head, ref };
}

function maxAbsDiff(a: Float32Array, b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(NO_TORCH)(torchSuite("TorchEncoder vs plain-torch reference"), () => {
  for (const name of ["tiny-bert", "tiny-xlmr"]) {
    it(`${name}: last hidden state, colbert and mean-pooled vectors within 1e-4`, async () => {
      const { config, weights, head, ref } = await load(name);
      const before = liveTensors();
      const ids = Int32Array.from(ref.ids);
      const mask = Int32Array.from(ref.mask);
      const col = TorchEncoder.fromWeights(
        config,
        weights,
        { kind: "colbert", dim: ref.dim, pooling: "cls" },
        head,
      );
      tidy(() => {
        const h = col.encodeRaw(ids, mask, ref.B, ref.L);
        expect(h.shape).toEqual([ref.B, ref.L, config.hiddenSize]);
        expect(maxAbsDiff(h.toFloat32(), ref.last_hidden_state)).toBeLessThan(1e-4);
        const v = col.tokenVectors(ids, mask, ref.B, ref.L);
        expect(v.shape).toEqual([ref.B, ref.L, ref.dim]);
        expect(maxAbsDiff(v.toFloat32(), ref.colbert)).toBeLessThan(1e-4);
      });
      const pooled = TorchEncoder.fromWeights(config, weights, {
        kind: "pooled",
        dim: null,
        pooling: "mean",
      });
      tidy(() => {
        const p = pooled.pooledVectors(ids, mask, ref.B, ref.L);
        expect(p.shape).toEqual([ref.B, config.hiddenSize]);
        expect(maxAbsDiff(p.toFloat32(), ref.mean_pooled)).toBeLessThan(1e-4);
      });
      // exported weights equal the loaded ones bit for bit (prefix stripped)
      const out = col.namedWeights();
      for (const [k, w] of weights) {
        const e = out.get(k.replace(/^(bert|roberta)\./, ""));
        expect(e, k).toBeDefined();
        expect(e!.shape).toEqual(w.shape);
        expect(
          Buffer.from(e!.data.buffer).equals(
            Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength),
          ),
        ).toBe(true);
      }
      col.free();
      pooled.free();
      expect(liveTensors()).toBe(before);
    });
  }

  it("refuses missing and misshapen weights, out-of-vocabulary ids and over-long inputs", async () => {
    const { config, weights } = await load("tiny-bert");
    const missing = new Map(weights);
    missing.delete("bert.encoder.layer.1.output.dense.bias");
    expect(() => TorchEncoder.fromWeights(config, missing)).toThrow(
      /encoder\.layer\.1\.output\.dense\.bias' is missing/,
    );
    const bad = new Map(weights);
    bad.set("bert.embeddings.LayerNorm.bias", { dtype: "F32", shape: [31], data: new Float32Array(31) });
    expect(() => TorchEncoder.fromWeights(config, bad)).toThrow(XlirError);
    const enc = TorchEncoder.fromWeights(config, weights);
    expect(() => enc.forward(new Int32Array([2, 999]), new Int32Array([1, 1]), 1, 2)).toThrow(
      /outside the vocabulary/,
    );
    const L = config.maxPositions + 1;
    expect(() => enc.forward(new Int32Array(L).fill(5), new Int32Array(L).fill(1), 1, L)).toThrow(/position/);
    enc.free();
  });

  it("random init follows HF (std 0.02, LN weight 1, bias 0, pad row 0), is seeded, and dropout acts only in train()", async () => {
    const { config } = await load("tiny-xlmr");
    const a = TorchEncoder.random(config, { kind: "colbert", dim: 8, pooling: "cls" }, 5);
    const b = TorchEncoder.random(config, { kind: "colbert", dim: 8, pooling: "cls" }, 5);
    const wa = a.namedWeights();
    const wb = b.namedWeights();
    const q = wa.get("encoder.layer.0.attention.self.query.weight")!.data;
    const std = Math.sqrt(q.reduce((s, v) => s + v * v, 0) / q.length);
    expect(std).toBeGreaterThan(0.016); // 1024 samples of N(0, 0.02²): std within ±20%
    expect(std).toBeLessThan(0.024);
    expect([...wa.get("embeddings.LayerNorm.weight")!.data].every((v) => v === 1)).toBe(true);
    expect([...wa.get("encoder.layer.1.output.dense.bias")!.data].every((v) => v === 0)).toBe(true);
    const emb = wa.get("embeddings.word_embeddings.weight")!.data;
    expect([...emb.subarray(config.padTokenId * 32, config.padTokenId * 32 + 32)].every((v) => v === 0)).toBe(
      true,
    );
    expect(
      Buffer.from(q.buffer).equals(
        Buffer.from(wb.get("encoder.layer.0.attention.self.query.weight")!.data.buffer),
      ),
    ).toBe(true);
    const ids = new Int32Array([0, 5, 6, 2]);
    const mask = new Int32Array([1, 1, 1, 1]);
    tidy(() => {
      const e1 = a.encodeRaw(ids, mask, 1, 4).toFloat32();
      const e2 = a.encodeRaw(ids, mask, 1, 4).toFloat32();
      expect(maxAbsDiff(e1, [...e2])).toBe(0);
      a.train();
      const t1 = a.encodeRaw(ids, mask, 1, 4).toFloat32();
      expect(maxAbsDiff(t1, [...e1])).toBeGreaterThan(1e-3);
      a.eval();
    });
    a.freeze();
    expect(a.parameters().every((p) => !p.requiresGrad)).toBe(true);
    a.free();
    b.free();
  });
});
