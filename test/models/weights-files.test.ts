/**
 * Weight files: sharded checkpoints (BF16/F16 shards made by PyTorch), positional reads in chunks,
 * and bad input refused with a clear error before anything is decoded.
 */
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHfFolder } from "../../src/models/hf.js";
import { SafetensorsFile } from "../../src/models/safetensors.js";
import { serializeSafetensors } from "../../src/models/safetensors-write.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";

const FIX = path.join(__dirname, "../fixtures");
const G = JSON.parse(
  readFileSync(path.join(__dirname, "../golden/models/late-interaction.json"), "utf8"),
) as { sharded: { ids: number[]; hidden: number[][] } };
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-weights-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copy(name: string): Promise<string> {
  const dst = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  await fs.cp(path.join(FIX, name), dst, { recursive: true });
  return dst;
}

const SHARD2 = "model-00002-of-00002.safetensors";

describe("sharded checkpoints", () => {
  it("model.safetensors.index.json + BF16/F16 shards: hidden states equal the PyTorch reference within 1e-4", async () => {
    const m = await loadHfFolder(path.join(FIX, "tiny-bert-sharded"));
    expect(m.weights.get("embeddings.word_embeddings.weight")!.dtype).toBe("BF16");
    expect(m.weights.get("encoder.layer.1.output.dense.weight")!.dtype).toBe("F16");
    expect([...m.weights.keys()].some((k) => k.startsWith("bert.") || k.startsWith("pooler"))).toBe(false);
    const enc = TorchEncoder.fromHfModel(m);
    try {
      const ids = Int32Array.from(G.sharded.ids);
      const h = enc.encodeRaw(ids, new Uint8Array(ids.length).fill(1), 1, ids.length);
      const got = h.toFloat32();
      h.free();
      let worst = 0;
      G.sharded.hidden.flat().forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[i]))));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      enc.free();
    }
  });

  it("a truncated shard is CORRUPT, named, and nothing is returned", async () => {
    const dir = await copy("tiny-bert-sharded");
    const f = path.join(dir, SHARD2);
    const st = await fs.stat(f);
    await fs.truncate(f, st.size - 100);
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "CORRUPT",
      message: expect.stringMatching(new RegExp(`${SHARD2}: .*truncated`)),
    });
  });

  it("an index naming a missing shard is NOT_FOUND naming the index and the shard", async () => {
    const dir = await copy("tiny-bert-sharded");
    const idxFile = path.join(dir, "model.safetensors.index.json");
    const idx = JSON.parse(await fs.readFile(idxFile, "utf8"));
    for (const k of Object.keys(idx.weight_map))
      if (idx.weight_map[k] === SHARD2) idx.weight_map[k] = "model-00003-of-00003.safetensors";
    await fs.writeFile(idxFile, JSON.stringify(idx));
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(
        /model\.safetensors\.index\.json: names shard model-00003-of-00003\.safetensors .* does not exist/,
      ),
    });
  });

  it("an index that disagrees with a shard header, or a shard name with a path, is refused", async () => {
    const dir = await copy("tiny-bert-sharded");
    const idxFile = path.join(dir, "model.safetensors.index.json");
    const idx = JSON.parse(await fs.readFile(idxFile, "utf8"));
    const name = Object.keys(idx.weight_map).find((k) => idx.weight_map[k] === SHARD2)!;
    await fs.writeFile(
      idxFile,
      JSON.stringify({
        ...idx,
        weight_map: { ...idx.weight_map, [name]: "model-00001-of-00002.safetensors" },
      }),
    );
    await expect(loadHfFolder(dir)).rejects.toMatchObject({ code: "MISMATCH" });
    await fs.writeFile(
      idxFile,
      JSON.stringify({ ...idx, weight_map: { ...idx.weight_map, [name]: "../x.safetensors" } }),
    );
    await expect(loadHfFolder(dir)).rejects.toMatchObject({
      code: "BAD_INPUT",
      message: expect.stringMatching(/shard file name in the same folder/),
    });
  });
});

describe("positional reads", () => {
  it("tensors larger than one read chunk decode exactly (F16, BF16, F32)", async () => {
    const n = 9_000_000; // 18 MB as F16: more than one 16 MiB chunk
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 2048) / 64 - 16; // exact in float16
    const file = path.join(tmp, "big.safetensors");
    await fs.writeFile(
      file,
      serializeSafetensors(
        new Map([
          ["a", { dtype: "F16", shape: [3000, 3000], data }],
          ["b", { dtype: "F32", shape: [n], data }],
        ]),
      ),
    );
    const f = await SafetensorsFile.open(file);
    try {
      const a = await f.read("a");
      const b = await f.read("b");
      expect(a.shape).toEqual([3000, 3000]);
      let diff = 0;
      for (let i = 0; i < n; i++) diff += Number(a.data[i] !== data[i]) + Number(b.data[i] !== data[i]);
      expect(diff).toBe(0);
    } finally {
      await f.close();
    }
  });
});
