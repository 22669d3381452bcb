/**
 * Cross-check with the other helper's independent fixtures: the libtorch encoder on the HF folders
 * test/fixtures/tiny-{bert,xlmr} reproduces the reference hidden states of
 * test/golden/models/tiny-*.json (plain-torch float64, one text at a time) within 1e-4, when all
 * texts run as ONE padded batch (so padding and the XLM-R position ids are exercised).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { tidy } from "../../src/engine/index.js";
import { loadHfFolder } from "../../src/models/hf.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";

interface Golden {
  texts: { text: string; ids: number[]; hidden: number[][] }[];
}

describe.skipIf(NO_TORCH)(torchSuite("TorchEncoder on the HF fixtures"), () => {
  for (const name of ["tiny-bert", "tiny-xlmr"]) {
    it(`${name}: padded batch equals the per-text reference within 1e-4`, async () => {
      const m = await loadHfFolder(new URL(`../fixtures/${name}`, import.meta.url).pathname);
      const g = JSON.parse(
        readFileSync(new URL(`../golden/models/${name}.json`, import.meta.url), "utf8"),
      ) as Golden;
      const enc = TorchEncoder.fromWeights(m.config, m.weights);
      const B = g.texts.length;
      const L = Math.max(...g.texts.map((t) => t.ids.length));
      const ids = new Int32Array(B * L).fill(m.config.padTokenId);
      const mask = new Int32Array(B * L);
      g.texts.forEach((t, b) => {
        ids.set(t.ids, b * L);
        mask.fill(1, b * L, b * L + t.ids.length);
      });
      let worst = 0;
      tidy(() => {
        const h = enc.encodeRaw(ids, mask, B, L).toFloat32(); // [B, L, H]
        const H = m.config.hiddenSize;
        g.texts.forEach((t, b) =>
          t.hidden.forEach((row, i) =>
            row.forEach((v, j) => (worst = Math.max(worst, Math.abs(h[(b * L + i) * H + j] - v)))),
          ),
        );
      });
      enc.free();
      expect(worst).toBeLessThan(1e-4);
    });
  }
});

describe.skipIf(NO_TORCH)(torchSuite("saving a trained encoder in HF layout"), () => {
  it("random encoder + colbert head -> saveHfFolder -> loadHfFolder -> identical token vectors (exact)", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { saveHfFolder } = await import("../../src/models/hf-save.js");
    const src = await loadHfFolder(new URL("../fixtures/tiny-xlmr", import.meta.url).pathname);
    const head = { kind: "colbert" as const, dim: 8, pooling: "cls" as const };
    const a = TorchEncoder.random(src.config, head, 17);
    const root = mkdtempSync(join(tmpdir(), "xlir-save-"));
    const dir = join(root, "model");
    try {
      await saveHfFolder(dir, {
        config: a.config,
        weights: a.namedWeights(),
        tokenizerJson: src.tokenizer.json,
        head,
        headWeights: a.headWeights(),
      });
      const b = TorchEncoder.fromHfModel(await loadHfFolder(dir));
      const ids = new Int32Array([0, 9, 14, 2, 0, 21, 2, 1]);
      const mask = new Int32Array([1, 1, 1, 1, 1, 1, 1, 0]);
      tidy(() => {
        const va = a.tokenVectors(ids, mask, 2, 4).toFloat32();
        const vb = b.tokenVectors(ids, mask, 2, 4).toFloat32();
        expect(vb).toEqual(va);
      });
      a.free();
      b.free();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
