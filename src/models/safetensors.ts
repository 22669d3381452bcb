/**
 * Safetensors reader (format: https://github.com/huggingface/safetensors).
 *
 * Layout: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header
 * `{ "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, "__metadata__": {..} }`,
 * then the byte buffer; offsets are relative to the start of the buffer, data are little-endian,
 * row-major. Every tensor is decoded to float32 in memory (F64/I64/I32 are converted, F16/BF16
 * widened exactly). The reader validates the header fully before decoding anything. The writer
 * is safetensors-write.ts.
 */
import { promises as fs } from "node:fs";
import { XlirError } from "../errors.js";
import type { NamedWeights, WeightDtype, WeightTensor } from "./types.js";
import { f16Table } from "../util/float16.js";

/** Bytes per element of each stored dtype. */
export const ITEM_SIZE: Record<WeightDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 };
const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Largest header accepted (the format itself caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Reads and validates a safetensors file tensor by tensor (positional reads); all tensors decoded to float32.
 * @example
 * ```ts
 * import { readSafetensors } from "xlir";
 * const { tensors } = await readSafetensors("test/fixtures/tiny-bert/xlir_head.safetensors");
 * const w = tensors.get("linear.weight")!; // the colbert head: [dim 16, hidden 32]
 * console.assert(w.shape.join() === "16,32" && w.data instanceof Float32Array && w.data.length === 16 * 32);
 * ```
 */
export async function readSafetensors(
  file: string,
): Promise<{ tensors: NamedWeights; metadata: Record<string, string> }> {
  const f = await SafetensorsFile.open(file);
  try {
    const tensors: NamedWeights = new Map();
    for (const name of f.entries.keys()) tensors.set(name, await f.read(name));
    return { tensors, metadata: f.metadata };
  } finally {
    await f.close();
  }
}

/**
 * Parses safetensors bytes (see readSafetensors); `file` only names the source in errors.
 * @example
 * ```ts
 * import { parseSafetensors, serializeSafetensors, XlirError } from "xlir";
 * const bytes = serializeSafetensors(new Map([["b", { shape: [3], data: Float32Array.of(1, 2, 3) }]]), { k: "v" });
 * const { tensors, metadata } = parseSafetensors(bytes, "mem");
 * console.assert(Array.from(tensors.get("b")!.data).join() === "1,2,3" && metadata.k === "v");
 * let code = "";
 * try {
 *   parseSafetensors(bytes.subarray(0, bytes.length - 4), "cut.safetensors"); // last float missing
 * } catch (e) {
 *   code = e instanceof XlirError ? e.code : "";
 * }
 * console.assert(code === "CORRUPT");
 * ```
 */
export function parseSafetensors(
  buf: Buffer,
  file = "<buffer>",
): { tensors: NamedWeights; metadata: Record<string, string> } {
  const { entries, metadata, dataStart } = parseHeader(buf, file);
  const tensors: NamedWeights = new Map();
  for (const e of entries) {
    tensors.set(e.name, decodeTensor(buf, dataStart + e.begin, e));
  }
  return { tensors, metadata };
}

function corrupt(file: string, msg: string): XlirError {
  return new XlirError("CORRUPT", `${file}: ${msg}`);
}

function parseHeader(
  buf: Buffer,
  file: string,
): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  const headerLen = headerLength(buf, buf.length, file);
  const { entries, metadata } = parseHeaderJson(
    buf.subarray(8, 8 + headerLen),
    buf.length - 8 - headerLen,
    file,
  );
  return { entries, metadata, dataStart: 8 + headerLen };
}

/** Reads the u64 header length from the first 8 bytes and checks it against the file size. */
function headerLength(first8: Buffer, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.length < 8)
    throw corrupt(file, `file is ${fileSize} bytes, too short for a safetensors header`);
  const n = first8.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw corrupt(file, `header length ${n} is not sane (limit ${MAX_HEADER_BYTES})`);
  const headerLen = Number(n);
  if (8 + headerLen > fileSize)
    throw corrupt(file, `header length ${headerLen} runs past the end of the file (${fileSize} bytes)`);
  return headerLen;
}

/** Validates the JSON header against a data buffer of `dataLen` bytes (offsets, sizes, exact cover). */
function parseHeaderJson(
  header: Buffer,
  dataLen: number,
  file: string,
): { entries: HeaderEntry[]; metadata: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(header.toString("utf8"));
  } catch (e) {
    throw corrupt(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw corrupt(file, "header is not a JSON object");
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null) throw corrupt(file, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") throw corrupt(file, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const r = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof r !== "object" || r === null) throw corrupt(file, `tensor '${name}': entry is not an object`);
    if (typeof r.dtype !== "string" || !(r.dtype in ITEM_SIZE)) {
      throw new XlirError(
        "UNSUPPORTED",
        `${file}: tensor '${name}': dtype ${JSON.stringify(r.dtype)} not supported (supported: ${Object.keys(ITEM_SIZE).join(", ")})`,
      );
    }
    const dtype = r.dtype as WeightDtype;
    if (!Array.isArray(r.shape) || !r.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw corrupt(
        file,
        `tensor '${name}': shape ${JSON.stringify(r.shape)} is not a list of non-negative integers`,
      );
    const off = r.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw corrupt(file, `tensor '${name}': data_offsets ${JSON.stringify(off)} is not [begin, end]`);
    const [begin, end] = off as [number, number];
    const shape = r.shape as number[];
    if (end < begin)
      throw corrupt(file, `tensor '${name}': data_offsets [${begin}, ${end}] end before begin`);
    if (end > dataLen)
      throw corrupt(
        file,
        `tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes; truncated file?)`,
      );
    const expected = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[dtype];
    if (end - begin !== expected)
      throw corrupt(
        file,
        `tensor '${name}' (${dtype} ${JSON.stringify(shape)}): expected ${expected} bytes, header says ${end - begin}`,
      );
    entries.push({ name, dtype, shape, begin, end });
  }
  // Non-overlapping, and together covering the data buffer exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin < cursor)
      throw corrupt(
        file,
        `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (ends at ${cursor})`,
      );
    if (e.begin > cursor)
      throw corrupt(
        file,
        `tensor '${e.name}': gap of ${e.begin - cursor} bytes before it in the data buffer`,
      );
    cursor = e.end;
  }
  if (cursor !== dataLen)
    throw corrupt(
      file,
      `tensors cover ${cursor} bytes but the data buffer has ${dataLen} bytes` +
        (cursor > dataLen ? " (truncated file?)" : ""),
    );
  return { entries, metadata };
}

function decodeTensor(buf: Buffer, start: number, e: HeaderEntry): WeightTensor {
  const out = new Float32Array((e.end - e.begin) / ITEM_SIZE[e.dtype]);
  decodeInto(out, 0, buf.subarray(start, start + e.end - e.begin), e.dtype);
  return { dtype: e.dtype, shape: [...e.shape], data: out };
}

/** Decodes little-endian `bytes` of `dtype` into out[at ..]. `bytes.length` is a multiple of the item size. */
function decodeInto(out: Float32Array, at: number, bytes: Uint8Array, dtype: WeightDtype): void {
  const count = bytes.length / ITEM_SIZE[dtype];
  // DataView reads are explicitly little-endian and need no alignment.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (dtype) {
    case "F32":
      if (bytes.byteOffset % 4 === 0 && isLittleEndianHost)
        out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count), at);
      else for (let i = 0; i < count; i++) out[at + i] = dv.getFloat32(4 * i, true);
      break;
    case "F16": {
      const table = f16Table();
      if (bytes.byteOffset % 2 === 0 && isLittleEndianHost) {
        const h = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
        for (let i = 0; i < count; i++) out[at + i] = table[h[i]];
      } else for (let i = 0; i < count; i++) out[at + i] = table[dv.getUint16(2 * i, true)];
      break;
    }
    case "BF16": {
      const u = new Uint32Array(out.buffer, out.byteOffset + 4 * at, count);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16; // bf16 is the top half of a float32
      break;
    }
    case "F64":
      for (let i = 0; i < count; i++) out[at + i] = dv.getFloat64(8 * i, true);
      break;
    case "I64":
      for (let i = 0; i < count; i++) out[at + i] = Number(dv.getBigInt64(8 * i, true));
      break;
    case "I32":
      for (let i = 0; i < count; i++) out[at + i] = dv.getInt32(4 * i, true);
      break;
  }
}

/** One tensor's place in a safetensors file (absolute byte range). */
export interface SafetensorsEntry {
  name: string;
  dtype: WeightDtype;
  shape: number[];
  /** Absolute file offsets [start, end). */
  start: number;
  end: number;
}

/** Bytes per positional read when decoding or hashing (a multiple of every item size). */
const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * A safetensors file opened for positional reads: the header is read and validated against the
 * file size on open, tensors are then read one at a time with `read` (no whole-file buffer, so
 * files of any size; memory = the tensors kept + one 16 MiB chunk for F16/BF16/F64/integer data).
 * Close it when done.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, statSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { SafetensorsFile, writeSafetensors } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "w.safetensors");
 * await writeSafetensors(file, new Map([
 *   ["a", { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
 *   ["h", { dtype: "F16", shape: [2], data: Float32Array.of(0.5, -1) }],
 * ]));
 * const f = await SafetensorsFile.open(file);
 * console.assert(f.entries.get("h")!.dtype === "F16" && f.entries.get("h")!.end - f.entries.get("h")!.start === 4);
 * const h = await f.read("h"); // widened to float32
 * console.assert(Array.from(h.data).join() === "0.5,-1");
 * let streamed = 0;
 * await f.stream((chunk) => (streamed += chunk.length));
 * console.assert(streamed === statSync(file).size);
 * await f.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private readonly fh: fs.FileHandle,
    readonly size: number,
    readonly dataStart: number,
    readonly entries: Map<string, SafetensorsEntry>,
    readonly metadata: Record<string, string>,
  ) {}

  /** Opens and validates `file`; a truncated file or bad header is CORRUPT before any tensor is read. */
  static async open(file: string): Promise<SafetensorsFile> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(file, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new XlirError("NOT_FOUND", `${file}: no such file`);
      throw new XlirError("BAD_INPUT", `${file}: cannot read (${code ?? String(e)})`);
    }
    try {
      const size = (await fh.stat()).size;
      const first = Buffer.alloc(8);
      await readFully(fh, first, 0, file);
      const headerLen = headerLength(first, size, file);
      const header = Buffer.alloc(headerLen);
      await readFully(fh, header, 8, file);
      const dataStart = 8 + headerLen;
      const { entries, metadata } = parseHeaderJson(header, size - dataStart, file);
      const map = new Map<string, SafetensorsEntry>();
      for (const e of entries)
        map.set(e.name, {
          name: e.name,
          dtype: e.dtype,
          shape: e.shape,
          start: dataStart + e.begin,
          end: dataStart + e.end,
        });
      return new SafetensorsFile(file, fh, size, dataStart, map, metadata);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Reads one tensor, decoded to float32. */
  async read(name: string): Promise<WeightTensor> {
    const e = this.entries.get(name);
    if (!e) throw new XlirError("MISMATCH", `${this.file}: no tensor '${name}'`);
    const bytes = e.end - e.start;
    const out = new Float32Array(bytes / ITEM_SIZE[e.dtype]);
    if (e.dtype === "F32" && isLittleEndianHost) {
      await readFully(this.fh, new Uint8Array(out.buffer), e.start, this.file); // straight into the result
    } else {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, bytes));
      for (let pos = 0; pos < bytes; pos += chunk.length) {
        const n = Math.min(chunk.length, bytes - pos);
        const view = chunk.subarray(0, n);
        await readFully(this.fh, view, e.start + pos, this.file);
        decodeInto(out, pos / ITEM_SIZE[e.dtype], view, e.dtype);
      }
    }
    return { dtype: e.dtype, shape: [...e.shape], data: out };
  }

  /** Feeds the whole file, in order, to `update` in chunks (for content hashes). */
  async stream(update: (chunk: Uint8Array) => void): Promise<void> {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, this.size)));
    for (let pos = 0; pos < this.size; pos += chunk.length) {
      const view = chunk.subarray(0, Math.min(chunk.length, this.size - pos));
      await readFully(this.fh, view, pos, this.file);
      update(view);
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Positional read of exactly `buf.length` bytes at `position` (fails on a short file). */
async function readFully(fh: fs.FileHandle, buf: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, Math.min(buf.length - done, 1 << 30), position + done); // fs caps one read below 2 GiB
    if (bytesRead === 0)
      throw corrupt(
        file,
        `file ends at byte ${position + done}, expected ${buf.length - done} more bytes (truncated?)`,
      );
    done += bytesRead;
  }
}
