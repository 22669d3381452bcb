import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHfFolder } from "../../src/models/hf.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import type { NamedWeights } from "../../src/models/types.js";

const FIX = path.join(__dirname, "../fixtures");
interface GoldenText {
  text: string;
  tokens: string[];
  ids: number[];
  truncated: boolean;
  hidden: number[][];
  head?: number[][];
}
const golden = (m: string) =>
  JSON.parse(readFileSync(path.join(__dirname, "../golden/models", `${m}.json`), "utf8")) as {
    max_length: number;
    texts: GoldenText[];
  };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}

// Tolerance: 1e-4 absolute against the float64 PyTorch reference (float32 graph; measured ~2e-6).
describe.each(["tiny-bert", "tiny-xlmr"])("OnnxEncoder parity with the PyTorch reference: %s", (name) => {
  const g = golden(name);
  let enc: OnnxEncoder;
  beforeAll(async () => {
    enc = await OnnxEncoder.fromFolder(path.join(FIX, name), { maxLength: g.max_length, batchSize: 2 });
  });
  afterAll(async () => enc.dispose());

  it("tokens, ids and truncation equal the reference tokenizer's", async () => {
    const r = await enc.encodeRaw(g.texts.map((t) => t.text));
    expect(r.tokens).toEqual(g.texts.map((t) => t.tokens));
    expect(r.ids).toEqual(g.texts.map((t) => t.ids));
    expect(r.truncated).toEqual(g.texts.map((t) => t.truncated));
    expect(r.truncated).toContain(true);
  });
  it("last hidden state within 1e-4 (batched, length-sorted, padded)", async () => {
    const r = await enc.encodeRaw(g.texts.map((t) => t.text));
    g.texts.forEach((t, i) => expect(maxAbsDiff(r.hidden[i], t.hidden.flat())).toBeLessThan(1e-4));
  });
  it("one text per batch gives the same as batches of 2 within 1e-5 (padding is masked)", async () => {
    const one = await OnnxEncoder.fromFolder(path.join(FIX, name), { maxLength: g.max_length, batchSize: 1 });
    const a = await one.encodeRaw(g.texts.map((t) => t.text));
    const b = await enc.encodeRaw(g.texts.map((t) => t.text));
    a.hidden.forEach((h, i) => expect(maxAbsDiff(h, b.hidden[i])).toBeLessThan(1e-5));
    await one.dispose();
  });
});

describe("OnnxEncoder heads", () => {
  it("colbert head (tiny-bert) equals the reference L2-normalised projection within 1e-4, specials kept", async () => {
    const g = golden("tiny-bert");
    const enc = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-bert"), { maxLength: g.max_length });
    const tv = await enc.encodeTokens(
      g.texts.map((t) => t.text),
      "query",
    );
    expect(tv.dim).toBe(16);
    expect(Array.from(tv.offsets)).toEqual(
      g.texts.reduce((o, t) => [...o, o[o.length - 1] + t.ids.length], [0]),
    );
    g.texts.forEach((t, i) =>
      expect(
        maxAbsDiff(tv.vectors.subarray(tv.offsets[i] * 16, tv.offsets[i + 1] * 16), t.head!.flat()),
      ).toBeLessThan(1e-4),
    );
    await expect(enc.encodePooled(["x"], "query")).rejects.toMatchObject({ code: "CONFIG" });
    await enc.dispose();
  });
  it("no head: raw works, token vectors are a clear CONFIG error", async () => {
    const enc = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-xlmr"));
    await expect(enc.encodeTokens(["hello"], "document")).rejects.toMatchObject({
      code: "CONFIG",
      message: expect.stringMatching(/not a late-interaction model: it has neither xlir\.json.*encode --raw/),
    });
    await expect(enc.encodeRaw(["ok", " "])).rejects.toMatchObject({
      code: "BAD_INPUT",
      message: "text 2 is empty",
    });
    await enc.dispose();
  });
  it.each(["mean", "cls"] as const)(
    "pooled head (%s, linear) equals pooling + projection + L2 computed from encodeRaw within 1e-5",
    async (pooling) => {
      const m = await loadHfFolder(path.join(FIX, "tiny-xlmr"));
      const H = 32;
      const dim = 8;
      const w = Float32Array.from({ length: dim * H }, (_, i) => Math.sin(i + 1) * 0.3);
      const b = Float32Array.from({ length: dim }, (_, i) => Math.cos(i) * 0.1);
      const headWeights: NamedWeights = new Map([
        ["linear.weight", { dtype: "F32", shape: [dim, H], data: w }],
        ["linear.bias", { dtype: "F32", shape: [dim], data: b }],
      ]);
      const enc = await OnnxEncoder.fromModel(
        { ...m, head: { kind: "pooled", dim, pooling }, headWeights },
        { batchSize: 2 },
      );
      const texts = ["Hello, world!", "Kaixo mundua! Zer moduz zaude gaur?", "fox"];
      const pooled = await enc.encodePooled(texts, "query");
      const raw = await enc.encodeRaw(texts);
      raw.hidden.forEach((h, t) => {
        const n = h.length / H;
        const p = new Float64Array(H);
        for (let i = 0; i < (pooling === "cls" ? 1 : n); i++)
          for (let j = 0; j < H; j++) p[j] += h[i * H + j] / (pooling === "cls" ? 1 : n);
        const y = Array.from(
          { length: dim },
          (_, o) => b[o] + p.reduce((s, v, j) => s + v * w[o * H + j], 0),
        );
        const norm = Math.hypot(...y);
        expect(
          maxAbsDiff(
            pooled.subarray(t * dim, (t + 1) * dim),
            y.map((v) => v / norm),
          ),
        ).toBeLessThan(1e-5);
      });
      await enc.dispose();
    },
  );
});
