/**
 * ColBERT and PyLate checkpoints against the independent PyTorch implementation of their scoring
 * (scripts/dev/make_late_models.py -> test/golden/models/late-interaction.json): markers, [MASK]
 * augmentation (attended or not), punctuation dropped from documents, projection, L2 norm, MaxSim.
 */
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectHfFolder, loadHfFolder, requireLateInteraction } from "../../src/models/hf.js";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { TokenVectors } from "../../src/models/types.js";
import { encodeTokenVectors } from "../../src/train/encode-cache.js";

const FIX = path.join(__dirname, "../fixtures");
interface Case {
  query_ids: number[][];
  doc_ids: number[][];
  doc_kept_ids: number[][];
  scores: number[][];
}
const G = JSON.parse(
  readFileSync(path.join(__dirname, "../golden/models/late-interaction.json"), "utf8"),
) as {
  queries: string[];
  documents: string[];
  colbert: { attend_false: Case; attend_true: Case };
  pylate: { default: Case };
};

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-late-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copy(name: string): Promise<string> {
  const dst = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  await fs.cp(path.join(FIX, name), dst, { recursive: true });
  return dst;
}

/** score(q, d) = sum_i max_j q_i . d_j */
function maxsim(Q: TokenVectors, D: TokenVectors): number[][] {
  const d = Q.dim;
  const out: number[][] = [];
  for (let q = 0; q + 1 < Q.offsets.length; q++) {
    const row: number[] = [];
    for (let k = 0; k + 1 < D.offsets.length; k++) {
      let s = 0;
      for (let i = Q.offsets[q]; i < Q.offsets[q + 1]; i++) {
        let best = -Infinity;
        for (let j = D.offsets[k]; j < D.offsets[k + 1]; j++) {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += Q.vectors[i * d + c] * D.vectors[j * d + c];
          best = Math.max(best, dot);
        }
        s += best;
      }
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((r, i) => r.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

async function checkOnnx(dir: string, golden: Case): Promise<number> {
  const enc = await OnnxEncoder.fromFolder(dir, { threads: 1 });
  try {
    const q = await enc.encodeTokensDetailed(G.queries, "query");
    const d = await enc.encodeTokensDetailed(G.documents, "document");
    expect(q.ids).toEqual(golden.query_ids); // marker after [CLS], [MASK] to the query length, all kept
    expect(d.ids).toEqual(golden.doc_kept_ids); // marker after [CLS], punctuation dropped
    expect(golden.doc_kept_ids.some((k, i) => k.length < golden.doc_ids[i].length)).toBe(true);
    const diff = maxDiff(maxsim(q.vectors, d.vectors), golden.scores);
    expect(diff).toBeLessThan(1e-4);
    return diff;
  } finally {
    await enc.dispose();
  }
}

describe("ColBERT layout (artifact.metadata + linear.weight)", () => {
  it("is detected with its settings; scores equal the PyTorch reference within 1e-4 (attend_to_mask_tokens false)", async () => {
    const dir = await copy("tiny-colbert");
    const info = await inspectHfFolder(dir);
    expect(info.layout).toBe("colbert");
    expect(info.head).toEqual({ kind: "colbert", dim: 16, pooling: "cls", bias: false });
    expect(info.interaction.query).toMatchObject({
      length: 12,
      attendExpansion: false,
      prefixId: info.tokenizer.tokenToId("[unused0]"),
      expansionId: info.tokenizer.tokenToId("[MASK]"),
    });
    expect(info.interaction.document).toMatchObject({
      length: null,
      maxLength: 20,
      prefixId: info.tokenizer.tokenToId("[unused1]"),
    });
    expect(info.interaction.document.skipIds).toContain(info.tokenizer.tokenToId(","));
    const diff = await checkOnnx(dir, G.colbert.attend_false);
    console.log(`colbert parity (attend false): max score difference ${diff.toExponential(2)}`);
  });
  it("attend_to_mask_tokens true changes the scores and still equals the reference", async () => {
    const dir = await copy("tiny-colbert");
    const metaFile = path.join(dir, "artifact.metadata");
    const meta = JSON.parse(await fs.readFile(metaFile, "utf8"));
    await fs.writeFile(metaFile, JSON.stringify({ ...meta, attend_to_mask_tokens: true }));
    expect(maxDiff(G.colbert.attend_true.scores, G.colbert.attend_false.scores)).toBeGreaterThan(1e-3);
    const diff = await checkOnnx(dir, G.colbert.attend_true);
    console.log(`colbert parity (attend true): max score difference ${diff.toExponential(2)}`);
  });
  it("the libtorch path (teacher English cache) gives the same scores", async () => {
    const m = await loadHfFolder(path.join(FIX, "tiny-colbert"));
    const enc = TorchEncoder.fromHfModel(m).freeze();
    try {
      const q = encodeTokenVectors(enc, m.tokenizer, G.queries, {
        maxLength: 512,
        role: "query",
        batchSize: 2,
      });
      const d = encodeTokenVectors(enc, m.tokenizer, G.documents, {
        maxLength: 512,
        role: "document",
        batchSize: 3,
      });
      expect(maxDiff(maxsim(q, d), G.colbert.attend_false.scores)).toBeLessThan(1e-4);
    } finally {
      enc.free();
    }
  });
  it("a projection whose dimension disagrees with artifact.metadata is refused", async () => {
    const dir = await copy("tiny-colbert");
    const metaFile = path.join(dir, "artifact.metadata");
    const meta = JSON.parse(await fs.readFile(metaFile, "utf8"));
    await fs.writeFile(metaFile, JSON.stringify({ ...meta, dim: 128 }));
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "MISMATCH",
      message: expect.stringMatching(/'linear\.weight' has shape \[16, 32\], expected \[128, 32\]/),
    });
  });
});

describe("PyLate layout (modules.json + Dense modules)", () => {
  it("is detected; two Dense modules fold into one; scores equal the PyTorch reference within 1e-4", async () => {
    const dir = await copy("tiny-pylate");
    const m = await loadHfFolder(dir);
    expect(m.layout).toBe("pylate");
    expect(m.head).toEqual({ kind: "colbert", dim: 16, pooling: "cls", bias: true });
    expect(m.interaction.query.prefixId).toBe(m.tokenizer.tokenToId("[Q] "));
    expect(m.interaction.document.prefixId).toBe(m.tokenizer.tokenToId("[D] "));
    const diff = await checkOnnx(dir, G.pylate.default);
    console.log(`pylate parity: max score difference ${diff.toExponential(2)}`);
  });
  it("a Dense module with another activation, or a Pooling module, is refused by name", async () => {
    const dir = await copy("tiny-pylate");
    const cfgFile = path.join(dir, "2_Dense", "config.json");
    const cfg = JSON.parse(await fs.readFile(cfgFile, "utf8"));
    await fs.writeFile(
      cfgFile,
      JSON.stringify({ ...cfg, activation_function: "torch.nn.modules.activation.Tanh" }),
    );
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringMatching(/2_Dense.*Tanh/),
    });
    const mods = JSON.parse(await fs.readFile(path.join(dir, "modules.json"), "utf8"));
    await fs.writeFile(
      path.join(dir, "modules.json"),
      JSON.stringify([
        mods[0],
        { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
      ]),
    );
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringMatching(/Pooling/),
    });
  });
});

describe("a folder that is neither", () => {
  it("one error naming what is missing", async () => {
    const m = await inspectHfFolder(path.join(FIX, "tiny-xlmr"));
    expect(m.layout).toBe("hf");
    expect(() => requireLateInteraction(m, "tiny-xlmr")).toThrow(
      /xlir\.json.*artifact\.metadata.*modules\.json with a Dense module/,
    );
  });
});
