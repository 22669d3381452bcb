/**
 * The weight files of a Hugging Face folder: one `model.safetensors`, or a sharded checkpoint
 * (`model.safetensors.index.json` with `weight_map`: tensor name -> shard file name, shards beside it).
 *
 * Every shard is opened and its header validated against its size before any tensor is decoded,
 * so a truncated shard, a shard the index names but that is missing, or an index that disagrees
 * with a shard's header is refused with nothing loaded. Tensors are then read one at a time with
 * positional reads (SafetensorsFile): memory is the tensors kept plus one read chunk.
 */
import type { Hash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { XlirError } from "../errors.js";
import { SafetensorsFile, type SafetensorsEntry } from "./safetensors.js";
import type { NamedWeights } from "./types.js";

export const WEIGHT_FILES = { single: "model.safetensors", index: "model.safetensors.index.json" } as const;

/**
 * Opened weight files of one folder; close() when done.
 * @example
 * ```ts
 * import { createHash } from "node:crypto";
 * import { readFileSync } from "node:fs";
 * import { WeightFiles } from "xlir";
 * const dir = "test/fixtures/tiny-bert-sharded"; // model.safetensors.index.json + 2 shards
 * const w = await WeightFiles.open(dir);
 * console.assert(w.files.length === 2 && w.indexFile!.endsWith("model.safetensors.index.json"));
 * const ln = await w.read((name) => name.endsWith("LayerNorm.weight")); // 1 + 2 per layer, 2 layers
 * console.assert(ln.size === 5 && [...ln.values()].every((t) => t.shape.join() === "32"));
 * const h = createHash("sha256");
 * await w.hashInto(h); // index bytes, then each shard's bytes
 * const ref = createHash("sha256").update(readFileSync(`${dir}/model.safetensors.index.json`));
 * for (const f of w.files) ref.update(readFileSync(f.file));
 * console.assert(h.digest("hex") === ref.digest("hex"));
 * await w.close();
 * ```
 */
export class WeightFiles {
  private constructor(
    /** The index file (sharded checkpoints) or null. */
    readonly indexFile: string | null,
    private readonly indexBytes: Buffer | null,
    /** Shards in file-name order (one file when not sharded). */
    readonly files: SafetensorsFile[],
    /** Tensor name -> its shard and entry. */
    readonly entries: Map<string, { file: SafetensorsFile; entry: SafetensorsEntry }>,
  ) {}

  /**
   * Opens `dir`'s weights: `model.safetensors`, else the sharded index. `what` names the files in
   * errors. Throws NOT_FOUND when neither exists (naming pytorch_model.bin when only that exists).
   */
  static async open(dir: string): Promise<WeightFiles> {
    const single = path.join(dir, WEIGHT_FILES.single);
    const index = path.join(dir, WEIGHT_FILES.index);
    if (await exists(single)) {
      const f = await SafetensorsFile.open(single);
      return new WeightFiles(
        null,
        null,
        [f],
        new Map([...f.entries.values()].map((e) => [e.name, { file: f, entry: e }])),
      );
    }
    if (await exists(index)) return WeightFiles.openSharded(index);
    const bin =
      (await exists(path.join(dir, "pytorch_model.bin"))) ||
      (await exists(path.join(dir, "pytorch_model.bin.index.json")));
    throw new XlirError(
      bin ? "UNSUPPORTED" : "NOT_FOUND",
      `${single}: no such file (nor ${WEIGHT_FILES.index})` +
        (bin ? "; pytorch_model.bin is not read, convert it to safetensors" : ""),
    );
  }

  private static async openSharded(indexFile: string): Promise<WeightFiles> {
    const dir = path.dirname(indexFile);
    const bytes = await fs.readFile(indexFile);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new XlirError("BAD_INPUT", `${indexFile}: not valid JSON (${(e as Error).message})`);
    }
    const map = (json as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== "object" || map === null || Array.isArray(map))
      throw new XlirError(
        "BAD_INPUT",
        `${indexFile}: expected an object "weight_map": { tensor name: shard file }`,
      );
    const byShard = new Map<string, string[]>();
    for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
      if (
        typeof shard !== "string" ||
        shard === "" ||
        shard !== path.basename(shard) ||
        shard.startsWith(".")
      ) {
        throw new XlirError(
          "BAD_INPUT",
          `${indexFile}: weight_map["${name}"] must be a shard file name in the same folder, got ${JSON.stringify(shard)}`,
        );
      }
      if (!byShard.has(shard)) byShard.set(shard, []);
      byShard.get(shard)!.push(name);
    }
    if (byShard.size === 0) throw new XlirError("BAD_INPUT", `${indexFile}: weight_map is empty`);
    const shards = [...byShard.keys()].sort();
    for (const s of shards) {
      if (!(await exists(path.join(dir, s))))
        throw new XlirError(
          "NOT_FOUND",
          `${indexFile}: names shard ${s} (for '${byShard.get(s)![0]}' and ${byShard.get(s)!.length - 1} more tensors), but ${path.join(dir, s)} does not exist`,
        );
    }
    const files: SafetensorsFile[] = [];
    try {
      for (const s of shards) files.push(await SafetensorsFile.open(path.join(dir, s)));
      const entries = new Map<string, { file: SafetensorsFile; entry: SafetensorsEntry }>();
      files.forEach((f, i) => {
        const listed = new Set(byShard.get(shards[i]));
        for (const name of listed) {
          const entry = f.entries.get(name);
          if (!entry)
            throw new XlirError(
              "MISMATCH",
              `${indexFile}: weight_map puts '${name}' in ${shards[i]}, whose header has no such tensor`,
            );
          entries.set(name, { file: f, entry });
        }
        for (const name of f.entries.keys()) {
          if (!listed.has(name))
            throw new XlirError(
              "MISMATCH",
              `${f.file}: tensor '${name}' is not listed for this shard in ${indexFile}`,
            );
        }
      });
      return new WeightFiles(indexFile, bytes, files, entries);
    } catch (e) {
      for (const f of files) await f.close();
      throw e;
    }
  }

  /** File names for messages: the index file or the single file. */
  get name(): string {
    return this.indexFile ?? this.files[0].file;
  }

  /** Feeds the index file (when sharded) and every shard, in order, to `hash`. */
  async hashInto(hash: Hash): Promise<void> {
    if (this.indexBytes) hash.update(this.indexBytes);
    for (const f of this.files) await f.stream((c) => hash.update(c));
  }

  /** Reads the tensors whose names pass `keep` (all tensors of every shard are validated already). */
  async read(keep: (name: string) => boolean): Promise<NamedWeights> {
    const out: NamedWeights = new Map();
    for (const [name, { file }] of this.entries) if (keep(name)) out.set(name, await file.read(name));
    return out;
  }

  async close(): Promise<void> {
    for (const f of this.files) await f.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
