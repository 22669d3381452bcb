/**
 * MLM / TLM pre-training (src/train/mlm.ts): the loss and its gradients against plain torch
 * (test/golden/engine/mlm, from scripts/dev/mlm_goldens.py), BERT's masking proportions, the pair
 * layout, and training: the loss falls on a small corpus, and a run killed and resumed ends with the
 * parameters of an uninterrupted one.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { liveTensors, tidy } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { parseHfConfig } from "../../src/models/config.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { readSafetensors } from "../../src/models/safetensors.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import { MlmHead, maskTokens, mlmLoss, pairSequence, pretrainMlm } from "../../src/train/mlm.js";
import type { OptimSettings } from "../../src/train/distill.js";

const golden = (f: string) => new URL(`../golden/engine/${f}`, import.meta.url).pathname;

interface Ref {
  B: number;
  L: number;
  input: number[];
  mask: number[];
  positions: number[];
  labels: number[];
  loss: number;
  grads: Record<string, number[]>;
}

describe("maskTokens", () => {
  const B = 200;
  const L = 40;
  const ids = new Int32Array(B * L);
  const mask = new Uint8Array(B * L);
  for (let b = 0; b < B; b++) {
    const n = 5 + (b % 30); // <s> x... </s> then padding
    for (let i = 0; i < L; i++) {
      const k = b * L + i;
      if (i < n) {
        mask[k] = 1;
        ids[k] = i === 0 ? 0 : i === n - 1 ? 2 : 4 + ((b * 7 + i) % 90);
      } else ids[k] = 1;
    }
  }
  const opts = { maskId: 99, vocabSize: 100, probability: 0.15, isSpecial: (id: number) => id < 4, seed: 5 };

  it("chooses about 15% of the real tokens, never a special token or padding; 80/10/10", () => {
    const m = maskTokens(ids, mask, B, L, opts);
    const eligible = [...ids].filter((id, k) => mask[k] && id >= 4).length;
    const share = m.positions.length / eligible;
    expect(share).toBeGreaterThan(0.13);
    expect(share).toBeLessThan(0.18);
    for (const [j, k] of m.positions.entries()) {
      expect(mask[k]).toBe(1);
      expect(ids[k]).toBeGreaterThanOrEqual(4);
      expect(m.labels[j]).toBe(ids[k]);
    }
    const masked = m.positions.filter((k) => m.input[k] === 99).length / m.positions.length;
    const kept = m.positions.filter((k) => m.input[k] === ids[k]).length / m.positions.length;
    expect(masked).toBeGreaterThan(0.72);
    expect(masked).toBeLessThan(0.88);
    expect(kept).toBeGreaterThan(0.05); // 10% left as they are, plus random draws of the same token
    expect(kept).toBeLessThan(0.16);
    // random replacements are real tokens, never a special one or <mask>
    for (const k of m.positions) if (m.input[k] !== 99) expect(m.input[k]).toBeGreaterThanOrEqual(4);
    // only chosen positions change
    const chosen = new Set(m.positions);
    for (let k = 0; k < ids.length; k++) if (!chosen.has(k)) expect(m.input[k]).toBe(ids[k]);
  });

  it("gives every sequence at least one chosen token, and is a pure function of the seed", () => {
    const m = maskTokens(ids, mask, B, L, { ...opts, probability: 0.01 });
    const rows = new Set(m.positions.map((k) => Math.floor(k / L)));
    expect(rows.size).toBe(B);
    const a = maskTokens(ids, mask, B, L, opts);
    expect(maskTokens(ids, mask, B, L, opts)).toEqual(a);
    expect(maskTokens(ids, mask, B, L, { ...opts, seed: 6 }).positions).not.toEqual(a.positions);
  });

  it("refuses a probability outside (0, 1) and a batch of the wrong size", () => {
    expect(() => maskTokens(ids, mask, B, L, { ...opts, probability: 0 })).toThrow(XlirError);
    expect(() => maskTokens(ids, mask, B, L + 1, opts)).toThrow(/expected B\*L/);
  });
});

describe("pairSequence", () => {
  it("joins <s> A </s></s> B </s>, shortening the longer side first", () => {
    expect(pairSequence([1, 2, 3], [4, 5], 20, { bos: 0, eos: 2 })).toEqual([0, 1, 2, 3, 2, 2, 4, 5, 2]);
    const s = pairSequence(Array(30).fill(7), Array(4).fill(8), 16, { bos: 0, eos: 2 });
    expect(s.length).toBe(16);
    expect(s.filter((x) => x === 8).length).toBe(4); // the short side kept whole
    expect(() => pairSequence([1], [2], 5, { bos: 0, eos: 2 })).toThrow(/maxLength >= 6/);
  });
});

describe.skipIf(NO_TORCH)(torchSuite("MLM loss and training"), () => {
  it("matches plain torch: the loss within 1e-9, the gradients of encoder and head within 1e-8", async () => {
    const ref = JSON.parse(readFileSync(golden("mlm/ref.json"), "utf8")) as Ref;
    const config = parseHfConfig(JSON.parse(readFileSync(golden("tiny-xlmr/config.json"), "utf8")), "config");
    const weights = (await readSafetensors(golden("tiny-xlmr/model.safetensors"))).tensors;
    const headWeights = (await readSafetensors(golden("mlm/head.safetensors"))).tensors;
    const before = liveTensors();
    const encoder = TorchEncoder.fromWeights(config, weights, null, null, { dtype: "float64", dropout: 0 });
    encoder.unfreeze();
    const head = MlmHead.fromWeights(config.hiddenSize, config.vocabSize, headWeights, "float64");
    head.namedParameters().forEach(([, t]) => t.requireGrad(true));
    tidy(() => {
      const loss = mlmLoss(
        encoder,
        head,
        { input: Int32Array.from(ref.input), positions: ref.positions, labels: ref.labels },
        ref.mask,
        ref.B,
        ref.L,
      );
      expect(Math.abs(loss.item() - ref.loss)).toBeLessThan(1e-9);
      loss.backward();
    });
    const params = new Map([...encoder.namedParameters(), ...head.namedParameters()]);
    for (const [name, want] of Object.entries(ref.grads)) {
      const grad = params.get(name)!.grad!;
      const got = grad.toFloat64();
      grad.free();
      expect(got.length).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      expect(diff, name).toBeLessThan(1e-8);
    }
    encoder.free();
    head.free();
    expect(liveTensors()).toBe(before);
  });

  it("lowers the loss on a small corpus; a killed run resumes to the uninterrupted run's parameters", async () => {
    const m = await loadHfFolder("test/fixtures/tiny-xlmr");
    const tok = m.tokenizer;
    const texts = [
      "the quick brown fox",
      "the lazy dog sleeps",
      "hello world again",
      "the brown fox runs",
      "a cafe by the sea",
      "the dog and the fox",
      "coffee in the cafe",
      "hello brown dog",
    ];
    const examples = texts.map((t, i) =>
      pairSequence(
        tok.encodeOne(t, 16, false).ids,
        tok.encodeOne(texts[(i + 1) % texts.length], 16, false).ids,
        32,
        { bos: 0, eos: 2 },
      ),
    );
    const optim: OptimSettings = {
      steps: 40,
      batchSize: 4,
      learningRate: 3e-3,
      warmupSteps: 2,
      weightDecay: 0,
      clipNorm: 1,
      accumulate: 1,
      checkpointEvery: 5,
    };
    const run = (steps: number, checkpointPath?: string, stopAfter?: number) => {
      const encoder = TorchEncoder.fromWeights(m.config, m.weights, null, null, { dropout: 0 }).unfreeze();
      const head = MlmHead.random(m.config.hiddenSize, m.config.vocabSize, 3);
      const r = pretrainMlm({
        encoder,
        head,
        examples,
        padId: tok.padId,
        masking: {
          maskId: tok.tokenToId("<mask>")!,
          vocabSize: m.config.vocabSize,
          probability: 0.15,
          isSpecial: (id) => tok.isSpecial(id),
        },
        optim: { ...optim, steps },
        seed: 7,
        config: { steps },
        checkpointPath,
        stopAfter,
      });
      const w = encoder.namedWeights();
      const hw = head.weights();
      encoder.free();
      head.free();
      return { r, w, hw };
    };
    const full = run(40);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(full.r.losses.slice(-10))).toBeLessThan(mean(full.r.losses.slice(0, 10)) - 0.5);

    const dir = mkdtempSync(join(tmpdir(), "xlir-mlm-"));
    try {
      const ck = join(dir, "checkpoint.bin");
      const a = run(12, ck, 5);
      expect(a.r.step).toBe(5);
      const b = run(12, ck);
      expect(b.r.resumedFrom).toBe(5);
      const c = run(12);
      for (const [name, t] of c.w) expect([...b.w.get(name)!.data], name).toEqual([...t.data]);
      for (const [name, t] of c.hw) expect([...b.hw.get(name)!.data], name).toEqual([...t.data]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
