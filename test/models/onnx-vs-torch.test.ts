/**
 * The fast inference path (ONNX graph on ONNX Runtime) equals the training graph (libtorch) on the
 * same weights: last hidden states and ColBERT token vectors within 1e-4, for BERT and XLM-R
 * layouts, on a padded batch of texts of different lengths. This is what lets indexing and search
 * run with npm packages alone on models trained here.
 */
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { tidy } from "../../src/engine/index.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";

const TEXTS = [
  "the quick brown fox",
  "hello world",
  "low resource language search query document token",
  "dog",
];

describe.skipIf(NO_TORCH)(torchSuite("ONNX Runtime path vs libtorch training graph"), () => {
  for (const name of ["tiny-bert", "tiny-xlmr"]) {
    it(`${name} with a random 12-d ColBERT head: hidden states and token vectors within 1e-4`, async () => {
      const src = await loadHfFolder(new URL(`../fixtures/${name}`, import.meta.url).pathname);
      const head = { kind: "colbert" as const, dim: 12, pooling: "cls" as const };
      const torchEnc = TorchEncoder.random(src.config, head, 31); // weights differ from the fixture's
      const model = {
        ...src,
        weights: torchEnc.namedWeights(),
        head,
        headWeights: torchEnc.headWeights(),
        hash: "test",
      };
      const onnx = await OnnxEncoder.fromModel(model, { threads: 1 });
      try {
        const batch = src.tokenizer.encodeBatch(TEXTS, { maxLength: 32 });
        const { hidden, vectors } = tidy(() => ({
          hidden: torchEnc.encodeRaw(batch.ids, batch.mask, batch.batch, batch.length).toFloat32(), // [B, L, H]
          vectors: torchEnc.tokenVectors(batch.ids, batch.mask, batch.batch, batch.length).toFloat32(), // [B, L, dim]
        }));
        const raw = await onnx.encodeRaw(TEXTS);
        const tv = await onnx.encodeTokens(TEXTS, "document");
        const H = src.config.hiddenSize;
        let worstHidden = 0;
        let worstVector = 0;
        TEXTS.forEach((_, b) => {
          const n = batch.tokens[b].length;
          expect(raw.ids[b]).toEqual(Array.from(batch.ids.subarray(b * batch.length, b * batch.length + n)));
          expect(tv.offsets[b + 1] - tv.offsets[b]).toBe(n);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < H; j++)
              worstHidden = Math.max(
                worstHidden,
                Math.abs(raw.hidden[b][i * H + j] - hidden[(b * batch.length + i) * H + j]),
              );
            for (let j = 0; j < 12; j++)
              worstVector = Math.max(
                worstVector,
                Math.abs(tv.vectors[(tv.offsets[b] + i) * 12 + j] - vectors[(b * batch.length + i) * 12 + j]),
              );
          }
        });
        expect(worstHidden).toBeLessThan(1e-4);
        expect(worstVector).toBeLessThan(1e-4);
      } finally {
        await onnx.dispose();
        torchEnc.free();
      }
    });
  }
});
