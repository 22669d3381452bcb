/**
 * Parted indexes: a collection indexed in N parts, each an ordinary index folder OUT/part-i-of-N
 * built on its own (possibly on another machine) by `xlir index --part i/N`. Part membership is
 * the record position p of a document in the corpus (0-based, blank lines not counted):
 * p mod N = i. OUT/manifest.json (kind "parts") lists every part with its counts, encoder hash,
 * the sha256 of its manifest and the size and sha256 of each of its files.
 *
 * This file names, checks and assembles the parts; parted-index.ts opens and searches them (the
 * merged top-k equals the top-k of one index over all documents when the kind scores documents
 * independently of each other: the exact kinds).
 */
import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileSha256 } from "../data/io.js";
import { XlirError } from "../errors.js";
import { MANIFEST, readManifest, writeManifest } from "./storage.js";
import { INDEX_FORMAT_VERSION, PARTS_KIND, type IndexManifest } from "./types.js";

/** Part `index` (0-based) of `count`. */
export interface PartSpec {
  index: number;
  count: number;
}

/** The membership rule, as recorded in manifests. */
export const PART_RULE = "record position mod partCount";

const PART_DIR = /^part-(\d+)-of-(\d+)$/;

/**
 * The folder name of part `index` of `count` inside a parted index folder.
 *
 * @example
 * ```ts
 * import { partName } from "xlir";
 * console.assert(partName({ index: 0, count: 4 }) === "part-0-of-4");
 * ```
 */
export function partName(p: PartSpec): string {
  return `part-${p.index}-of-${p.count}`;
}

/**
 * The folder of part `p` inside the parted index folder `out`.
 *
 * @example
 * ```ts
 * import { join } from "node:path";
 * import { partDir } from "xlir";
 * console.assert(partDir("indexes/big", { index: 2, count: 3 }) === join("indexes/big", "part-2-of-3"));
 * ```
 */
export function partDir(out: string, p: PartSpec): string {
  return join(out, partName(p));
}

/**
 * Parses `i/N` (0 <= i < N).
 *
 * @example
 * ```ts
 * import { XlirError, parsePartSpec } from "xlir";
 * const p = parsePartSpec(" 1/4 ");
 * console.assert(p.index === 1 && p.count === 4);
 * for (const bad of ["4/4", "1-4", "0/0"]) {
 *   let err: unknown;
 *   try {
 *     parsePartSpec(bad);
 *   } catch (e) {
 *     err = e;
 *   }
 *   console.assert(err instanceof XlirError && err.code === "USAGE", bad);
 * }
 * ```
 */
export function parsePartSpec(text: string): PartSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count)
    throw new XlirError("USAGE", `--part '${text}': expected i/N with 0 <= i < N (e.g. 0/4)`);
  return { index, count };
}

export interface PartFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface PartEntry {
  name: string;
  index: number;
  kind: string;
  docCount: number;
  vectorCount: number;
  manifestSha256: string;
  files: PartFile[];
}

export interface PartsManifest extends IndexManifest {
  parts: PartEntry[];
}

/**
 * Whether OUT holds all `count` parts (each complete: a part folder appears only when its build finished).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { partDir, partsComplete, writeVectorIndex } from "xlir";
 * const out = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const writePart = (out: string, index: number, count: number, vectors: number[], docnos: string[]) =>
 *   writeVectorIndex(partDir(out, { index, count }), {
 *     kind: "single",
 *     encoderHash: "demo",
 *     dim: 2,
 *     vectors: Float32Array.from(vectors),
 *     offsets: Int32Array.from({ length: docnos.length + 1 }, (_, i) => i),
 *     docnos,
 *     buildParams: { part: index, partCount: count },
 *   });
 * await writePart(out, 0, 2, [1, 0], ["a"]);
 * console.assert((await partsComplete(out, 2)) === false); // part 1 of 2 is not built yet
 * await writePart(out, 1, 2, [0, 1], ["b"]);
 * console.assert((await partsComplete(out, 2)) === true);
 * rmSync(out, { recursive: true, force: true });
 * ```
 */
export async function partsComplete(out: string, count: number): Promise<boolean> {
  for (let i = 0; i < count; i++)
    if (!existsSync(join(partDir(out, { index: i, count }), MANIFEST))) return false;
  return true;
}

/**
 * Before building part `p` into OUT: refuses when OUT already holds parts of another split, or
 * finished parts built with another kind or encoder (naming the part), so that no work is wasted.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { XlirError, checkSiblingParts, partDir, writeVectorIndex } from "xlir";
 * const out = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const writePart = (out: string, index: number, count: number, vectors: number[], docnos: string[]) =>
 *   writeVectorIndex(partDir(out, { index, count }), {
 *     kind: "single",
 *     encoderHash: "demo",
 *     dim: 2,
 *     vectors: Float32Array.from(vectors),
 *     offsets: Int32Array.from({ length: docnos.length + 1 }, (_, i) => i),
 *     docnos,
 *     buildParams: { part: index, partCount: count },
 *   });
 * await writePart(out, 0, 2, [1, 0], ["a"]);
 * await checkSiblingParts(out, { index: 1, count: 2 }, "single", "demo"); // same split, kind and encoder: fine
 * const otherEncoder = await checkSiblingParts(out, { index: 1, count: 2 }, "single", "other").catch((e: unknown) => e);
 * const otherSplit = await checkSiblingParts(out, { index: 1, count: 3 }, "single", "demo").catch((e: unknown) => e);
 * console.assert(otherEncoder instanceof XlirError && otherEncoder.code === "MISMATCH");
 * console.assert(otherSplit instanceof XlirError && otherSplit.code === "MISMATCH");
 * rmSync(out, { recursive: true, force: true });
 * ```
 */
export async function checkSiblingParts(
  out: string,
  p: PartSpec,
  kind: string,
  encoderHash: string,
): Promise<void> {
  if (!existsSync(out)) return;
  if (existsSync(join(out, MANIFEST)) && !existsSync(join(out, partName(p)))) {
    const m = await readManifest(out);
    if (m.kind !== PARTS_KIND)
      throw new XlirError("USAGE", `${out} holds a ${m.kind} index, not parts; choose another --out`);
  }
  for (const name of await readdir(out)) {
    const mm = PART_DIR.exec(name);
    if (!mm) continue;
    if (Number(mm[2]) !== p.count)
      throw new XlirError(
        "MISMATCH",
        `${out} holds ${name}, a part of another split than ${p.index}/${p.count}; use one split per folder`,
      );
    if (!existsSync(join(out, name, MANIFEST))) continue;
    const m = await readManifest(join(out, name));
    if (m.encoderHash !== encoderHash || m.kind !== kind) {
      throw new XlirError(
        "MISMATCH",
        `${join(out, name)} was built as ${m.kind} by encoder ${m.encoderHash}; part ${p.index}/${p.count} would be ${kind} by encoder ${encoderHash}; all parts need the same kind and encoder`,
      );
    }
  }
}

/**
 * Writes OUT/manifest.json for the parts in OUT (hashing every file). Refuses a set with a part
 * missing, parts of different splits, or parts that disagree on kind, encoder, dim or storage.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { XlirError, assembleParts, partDir, writeVectorIndex } from "xlir";
 * const out = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const writePart = (out: string, index: number, count: number, vectors: number[], docnos: string[]) =>
 *   writeVectorIndex(partDir(out, { index, count }), {
 *     kind: "single",
 *     encoderHash: "demo",
 *     dim: 2,
 *     vectors: Float32Array.from(vectors),
 *     offsets: Int32Array.from({ length: docnos.length + 1 }, (_, i) => i),
 *     docnos,
 *     buildParams: { part: index, partCount: count },
 *   });
 * await writePart(out, 0, 2, [1, 0, 0, 1], ["a", "c"]);
 * const early = await assembleParts(out).catch((e: unknown) => e);
 * console.assert(early instanceof XlirError && early.code === "NOT_FOUND"); // part 1 of 2 is missing
 * await writePart(out, 1, 2, [0.6, 0.8], ["b"]);
 * const m = await assembleParts(out);
 * console.assert(m.kind === "parts" && m.docCount === 3 && m.vectorCount === 3 && m.parts.length === 2);
 * console.assert(m.parts[1].name === "part-1-of-2" && m.parts[1].files.some((f) => f.name === "vectors.f32"));
 * rmSync(out, { recursive: true, force: true });
 * ```
 */
export async function assembleParts(out: string): Promise<PartsManifest> {
  if (!existsSync(out)) throw new XlirError("NOT_FOUND", `${out}: no such folder`);
  const found = (await readdir(out))
    .map((n) => PART_DIR.exec(n))
    .filter((m): m is RegExpExecArray => m !== null);
  if (found.length === 0)
    throw new XlirError(
      "NOT_FOUND",
      `${out}: no part-i-of-N folders; build them with 'xlir index --part i/N'`,
    );
  const counts = new Set(found.map((m) => Number(m[2])));
  if (counts.size > 1)
    throw new XlirError(
      "MISMATCH",
      `${out} holds parts of different splits (of ${[...counts].join(", ")}); keep one split`,
    );
  const count = [...counts][0];
  const entries: PartEntry[] = [];
  let first: IndexManifest | null = null;
  for (let i = 0; i < count; i++) {
    const name = partName({ index: i, count });
    const dir = join(out, name);
    if (!existsSync(join(dir, MANIFEST)))
      throw new XlirError(
        "NOT_FOUND",
        `${out}: part ${name} is missing or unfinished; build it with 'xlir index --part ${i}/${count}'`,
      );
    const m = await readManifest(dir);
    if (m.buildParams.part !== i || m.buildParams.partCount !== count)
      throw new XlirError(
        "MISMATCH",
        `${dir}: its manifest says part ${String(m.buildParams.part)}/${String(m.buildParams.partCount)}, the folder name says ${i}/${count}`,
      );
    first ??= m;
    for (const key of ["kind", "encoderHash", "dim", "storage"] as const) {
      if (m[key] !== first[key])
        throw new XlirError(
          "MISMATCH",
          `${dir}: ${key} ${String(m[key])}, but part 0 has ${String(first[key])}; all parts must be built with the same kind, encoder and storage`,
        );
    }
    const files: PartFile[] = [];
    for (const f of (await readdir(dir)).sort()) {
      const path = join(dir, f);
      files.push({ name: f, bytes: (await stat(path)).size, sha256: await fileSha256(path) });
    }
    entries.push({
      name,
      index: i,
      kind: m.kind,
      docCount: m.docCount,
      vectorCount: m.vectorCount,
      manifestSha256: files.find((f) => f.name === MANIFEST)?.sha256 ?? "",
      files,
    });
  }
  const f = first as IndexManifest;
  const { part: _p, partCount: _c, ...shared } = f.buildParams;
  const manifest: PartsManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    kind: PARTS_KIND,
    encoderHash: f.encoderHash,
    dim: f.dim,
    docCount: entries.reduce((a, e) => a + e.docCount, 0),
    vectorCount: entries.reduce((a, e) => a + e.vectorCount, 0),
    storage: f.storage,
    buildParams: { ...shared, partKind: f.kind, partCount: count, partRule: PART_RULE },
    createdBy: f.createdBy,
    createdAt: new Date().toISOString(),
    parts: entries,
  };
  await writeManifest(out, manifest);
  return manifest;
}
