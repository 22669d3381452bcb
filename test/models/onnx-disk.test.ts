/**
 * ONNX on disk: DIR/onnx/model.onnx is written on the first load, reused (validated by the model
 * hash, the exporter version and its own sha256) on later loads, and runs in transformers.js's
 * feature-extraction pipeline with remote models disabled, giving xlir's token vectors.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxEncoder, ONNX_FILES } from "../../src/models/onnx-encoder.js";

const FIX = path.join(__dirname, "../fixtures");
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-onnx-disk-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copy(name: string): Promise<string> {
  const dst = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  await fs.cp(path.join(FIX, name), dst, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}onnx`),
  });
  return dst;
}

const TEXTS = ["Hello, world!", "The quick brown fox jumped over the lazy dogs."];

describe("ONNX file beside tokenizer.json", () => {
  it("written once, reused after, re-exported when the file or the model changes", async () => {
    const dir = await copy("tiny-colbert");
    const a = await OnnxEncoder.fromFolder(dir, { threads: 1 });
    expect(a.onnxSource).toBe("written");
    const va = await a.encodeTokens(TEXTS, "query");
    await a.dispose();
    const file = path.join(dir, ONNX_FILES.dir, ONNX_FILES.model);
    const record = JSON.parse(await fs.readFile(path.join(dir, ONNX_FILES.dir, ONNX_FILES.record), "utf8"));
    expect(record).toMatchObject({ model_hash: a.hash, bytes: (await fs.stat(file)).size });

    const b = await OnnxEncoder.fromFolder(dir, { threads: 1 });
    expect(b.onnxSource).toBe("reused");
    expect(b.hash).toBe(a.hash);
    expect(b.interaction).toEqual(a.interaction);
    expect(Array.from((await b.encodeTokens(TEXTS, "query")).vectors)).toEqual(Array.from(va.vectors));
    await b.dispose();

    // a damaged file (same size, one byte changed) is not trusted
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 10] ^= 0xff;
    await fs.writeFile(file, bytes);
    const c = await OnnxEncoder.fromFolder(dir, { threads: 1 });
    expect(c.onnxSource).toBe("written");
    await c.dispose();

    // other weights -> another hash -> a new export
    const metaFile = path.join(dir, "artifact.metadata");
    const meta = JSON.parse(await fs.readFile(metaFile, "utf8"));
    await fs.writeFile(metaFile, JSON.stringify({ ...meta, attend_to_mask_tokens: true }));
    const d = await OnnxEncoder.fromFolder(dir, { threads: 1 });
    expect(d.onnxSource).toBe("written");
    expect(d.hash).not.toBe(a.hash);
    await d.dispose();
  });

  it("transformers.js (feature-extraction, local folder, remote models off) gives xlir's token vectors", async () => {
    const { env, pipeline } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = tmp;
    for (const fixture of ["tiny-bert", "tiny-xlmr"]) {
      const dir = await copy(fixture);
      const enc = await OnnxEncoder.fromFolder(dir, { threads: 1 });
      expect(enc.onnxSource).toBe("written");
      const ours = await enc.encodeRaw(TEXTS);
      await enc.dispose();
      const extractor = await pipeline("feature-extraction", path.basename(dir), {
        dtype: "fp32",
        local_files_only: true,
      });
      let worst = 0;
      for (let i = 0; i < TEXTS.length; i++) {
        const out = await extractor(TEXTS[i], { pooling: "none", normalize: false });
        const H = out.dims[2];
        expect(out.dims).toEqual([1, ours.ids[i].length, H]); // same tokenisation length
        const data = out.data as Float32Array;
        for (let k = 0; k < data.length; k++) worst = Math.max(worst, Math.abs(data[k] - ours.hidden[i][k]));
      }
      await extractor.dispose();
      console.log(`transformers.js vs xlir (${fixture}): max |difference| ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
    }
  });
});
