/**
 * Safetensors writer (the layout is described in safetensors.ts): tensors held as float32 in
 * memory, stored as F32, F16 or BF16, names sorted and the data start 8-byte aligned as the
 * reference library writes them; files written atomically.
 */
import { writeFileAtomic } from "../data/atomic.js";
import { XlirError } from "../errors.js";
import { f32ToBf16, f32ToF16 } from "../util/float16.js";
import { ITEM_SIZE } from "./safetensors.js";

/** A tensor to write: data are float32 in memory, stored as `dtype` (default F32). */
export interface TensorToWrite {
  dtype?: "F32" | "F16" | "BF16";
  shape: number[];
  data: Float32Array;
}

/**
 * Encodes tensors as safetensors bytes (names sorted, 8-byte aligned data start as the reference library does).
 * @example
 * ```ts
 * import { serializeSafetensors } from "xlir";
 * const bytes = serializeSafetensors(new Map([
 *   ["z", { shape: [1], data: Float32Array.of(2) }],
 *   ["a", { dtype: "BF16", shape: [2], data: Float32Array.of(1, -2) }],
 * ]));
 * const n = Number(bytes.readBigUInt64LE(0)); // header length
 * const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
 * console.assert(n % 8 === 0 && Object.keys(header).join() === "a,z"); // aligned, names sorted
 * console.assert(header.a.data_offsets.join() === "0,4" && header.z.data_offsets.join() === "4,8");
 * console.assert(bytes.readUInt16LE(8 + n) === 0x3f80 && bytes.readFloatLE(8 + n + 4) === 2); // bf16 1, f32 2
 * ```
 */
export function serializeSafetensors(
  tensors: Map<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Buffer {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const dtype = t.dtype ?? "F32";
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new XlirError(
        "MISMATCH",
        `tensor '${name}': shape ${JSON.stringify(t.shape)} has ${count} elements, data has ${t.data.length}`,
      );
    const bytes = count * ITEM_SIZE[dtype];
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  const dv = new DataView(out.buffer, out.byteOffset + 8 + json.length, offset);
  let pos = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const dtype = t.dtype ?? "F32";
    const d = t.data;
    if (dtype === "F32") for (let i = 0; i < d.length; i++, pos += 4) dv.setFloat32(pos, d[i], true);
    else if (dtype === "F16")
      for (let i = 0; i < d.length; i++, pos += 2) dv.setUint16(pos, f32ToF16(d[i]), true);
    else for (let i = 0; i < d.length; i++, pos += 2) dv.setUint16(pos, f32ToBf16(d[i]), true);
  }
  return out;
}

/**
 * Writes a safetensors file atomically (temp file in the same folder, then rename).
 * @example
 * ```ts
 * import { mkdtempSync, readdirSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readSafetensors, writeSafetensors } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "model.safetensors");
 * await writeSafetensors(file, new Map([["w", { shape: [2], data: Float32Array.of(0.25, -4) }]]), { format: "pt" });
 * const back = await readSafetensors(file);
 * console.assert(Array.from(back.tensors.get("w")!.data).join() === "0.25,-4" && back.metadata.format === "pt");
 * console.assert(readdirSync(dir).join() === "model.safetensors"); // no temporary file left
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeSafetensors(
  file: string,
  tensors: Map<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}
