/**
 * Files of an index folder: manifest.json, docnos.json, vectors.f32|vectors.f16 ([vectorCount, dim]
 * row-major little-endian), offsets.i32 (multi-vector: [docCount + 1]). Every read checks sizes
 * against the manifest and refuses contradictions with CORRUPT.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { INDEX_FORMAT_VERSION, type IndexManifest, type VectorDtype } from "./types.js";
import { writeFileAtomic } from "../data/atomic.js";
import { RowFile, VectorFile } from "./vector-file.js";

export const MANIFEST = "manifest.json";
export const DOCNOS = "docnos.json";
export const OFFSETS = "offsets.i32";
export const HNSW = "hnsw.usearch";

export function vectorsFile(dtype: VectorDtype): string {
  return dtype === "float16" ? "vectors.f16" : "vectors.f32";
}

/** Writes a file atomically (temp file in the same folder, then rename): the one writer of src/data/atomic.ts. */
export const writeAtomic = writeFileAtomic;

/** Reads and validates `DIR/manifest.json`. */
export async function readManifest(dir: string): Promise<IndexManifest> {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) {
    throw new XlirError(
      "NOT_FOUND",
      `${dir}: not an xlir index (no ${MANIFEST}); build one with 'xlir index'`,
    );
  }
  let m: Partial<IndexManifest>;
  try {
    m = JSON.parse(await readFile(path, "utf8")) as Partial<IndexManifest>;
  } catch (err) {
    throw new XlirError("CORRUPT", `${path}: not valid JSON (${(err as Error).message})`);
  }
  if (m.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new XlirError(
      "MISMATCH",
      `${path}: index format version ${String(m.formatVersion)}, this xlir reads version ${INDEX_FORMAT_VERSION}; rebuild the index`,
    );
  }
  for (const key of ["kind", "encoderHash", "createdBy"] as const) {
    if (typeof m[key] !== "string")
      throw new XlirError("CORRUPT", `${path}: field '${key}' must be a string`);
  }
  for (const key of ["dim", "docCount", "vectorCount"] as const) {
    const v = m[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
      throw new XlirError("CORRUPT", `${path}: field '${key}' must be a non-negative integer`);
  }
  if (m.storage !== "float32" && m.storage !== "float16")
    throw new XlirError("CORRUPT", `${path}: field 'storage' must be float32 or float16`);
  return m as IndexManifest;
}

export async function writeManifest(dir: string, m: IndexManifest): Promise<void> {
  await writeAtomic(join(dir, MANIFEST), JSON.stringify(m, null, 2) + "\n");
}

export async function readDocnos(dir: string, expected: number): Promise<string[]> {
  const path = join(dir, DOCNOS);
  let docnos: unknown;
  try {
    docnos = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new XlirError("CORRUPT", `${path}: cannot read docnos (${(err as Error).message})`);
  }
  if (!Array.isArray(docnos) || docnos.length !== expected || !docnos.every((d) => typeof d === "string")) {
    throw new XlirError(
      "CORRUPT",
      `${path}: expected an array of ${expected} docno strings (manifest docCount)`,
    );
  }
  return docnos as string[];
}

/**
 * Loads the vector matrix as float32 [vectorCount * dim] (float16 storage is widened) by positional
 * reads in blocks of rows: never one whole-file read, so no 2 GiB ceiling. Kinds that must not hold
 * every vector (parts over the memory budget, multi-plaid) open a VectorFile instead.
 */
export async function readVectors(dir: string, m: IndexManifest): Promise<Float32Array> {
  const file = VectorFile.open(join(dir, vectorsFile(m.storage)), m.vectorCount, m.dim, m.storage);
  try {
    const out = new Float32Array(m.vectorCount * m.dim);
    const block = Math.max(1, Math.floor((1 << 24) / Math.max(1, m.dim)));
    for (let r = 0; r < m.vectorCount; r += block) {
      const to = Math.min(m.vectorCount, r + block);
      out.set(file.read(r, to), r * m.dim);
    }
    return out;
  } finally {
    file.close();
  }
}

/** Loads the multi-vector document offsets [docCount + 1], checking monotonicity and the total. */
export async function readOffsets(dir: string, m: IndexManifest): Promise<Int32Array> {
  const path = join(dir, OFFSETS);
  const file = RowFile.open(path, m.docCount + 1, 4, `${m.docCount + 1} int32 document offsets`);
  const off = new Int32Array(m.docCount + 1);
  try {
    file.read(0, m.docCount + 1, new Uint8Array(off.buffer));
  } finally {
    file.close();
  }
  if (off[0] !== 0 || off[m.docCount] !== m.vectorCount) {
    throw new XlirError("CORRUPT", `${path}: offsets must run from 0 to vectorCount ${m.vectorCount}`);
  }
  for (let i = 0; i < m.docCount; i++) {
    if (off[i + 1] < off[i]) throw new XlirError("CORRUPT", `${path}: offsets decrease at document ${i}`);
  }
  return off;
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
