/**
 * Opening a parted index (parts.ts builds and assembles one): every listed part checked present
 * and of its listed size (and manifest sha256) before anything is read, then search fans out over
 * the parts and merges their top-k lists in the project's order (score descending, docno
 * descending on ties). Parts whose loaded size exceeds `residentBytes` together are loaded one at
 * a time per search.
 */
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileSha256 } from "../data/io.js";
import { XlirError } from "../errors.js";
import type { TokenVectors } from "../models/types.js";
import type { PartEntry, PartsManifest } from "./parts.js";
import { vectorKind } from "./registry.js";
import { MANIFEST, readManifest } from "./storage.js";
import { compareHits } from "./topk.js";
import type { DocHit, IndexManifest, QueryForm, VectorBuildOptions, VectorIndex } from "./types.js";

function partsOf(dir: string, m: IndexManifest): PartEntry[] {
  const parts = (m as Partial<PartsManifest>).parts;
  if (!Array.isArray(parts) || parts.length === 0)
    throw new XlirError("CORRUPT", `${join(dir, MANIFEST)}: a parts manifest needs a non-empty 'parts' list`);
  return parts;
}

/**
 * Checks every listed part: present, its manifest the listed one, every file of the listed size
 * (and, with `hashes`, of the listed sha256). Errors name the part and the file.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { truncateSync } from "node:fs";
 * import { XlirError, assembleParts, checkParts, partDir, writeVectorIndex } from "xlir";
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
 * await writePart(out, 1, 2, [0, 1], ["b"]);
 * const m = await assembleParts(out);
 * await checkParts(out, m, true); // every part present, sizes and hashes as listed
 * truncateSync(join(partDir(out, { index: 1, count: 2 }), "vectors.f32"), 4);
 * const err = await checkParts(out, m).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "CORRUPT" && err.message.includes("part-1-of-2"));
 * rmSync(out, { recursive: true, force: true });
 * ```
 */
export async function checkParts(dir: string, m: IndexManifest, hashes = false): Promise<void> {
  for (const e of partsOf(dir, m)) {
    const pdir = join(dir, e.name);
    if (!existsSync(pdir))
      throw new XlirError(
        "NOT_FOUND",
        `${dir}: part ${e.name} is missing (the manifest lists ${partsOf(dir, m).length} parts); copy it from the machine that built it or rebuild it with 'xlir index --part ${e.index}/${partsOf(dir, m).length}'`,
      );
    for (const f of e.files) {
      const path = join(pdir, f.name);
      if (!existsSync(path))
        throw new XlirError("CORRUPT", `${dir}: ${e.name} lacks its file ${f.name}; rebuild the part`);
      const size = (await stat(path)).size;
      if (size !== f.bytes)
        throw new XlirError(
          "CORRUPT",
          `${dir}: ${e.name}: ${f.name} has ${size} bytes, the parts manifest lists ${f.bytes} (truncated or overwritten); rebuild the part`,
        );
      if (f.name === MANIFEST || hashes) {
        const sha = await fileSha256(path);
        if (sha !== f.sha256) {
          throw new XlirError(
            f.name === MANIFEST ? "MISMATCH" : "CORRUPT",
            `${dir}: ${e.name}: ${f.name} differs from the one listed in the parts manifest (sha256 ${sha.slice(0, 12)}, listed ${f.sha256.slice(0, 12)}); rebuild the part, or run 'xlir index --out ${dir} --assemble' if it was rebuilt on purpose`,
          );
        }
      }
    }
  }
}

/**
 * A parted index: search fans out over the parts and merges their top-k lists.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { PartedIndex, assembleParts, openVectorIndex, partDir, writeVectorIndex } from "xlir";
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
 * await writePart(out, 1, 2, [0.6, 0.8], ["b"]);
 * await assembleParts(out);
 * const index = await openVectorIndex(out); // a parts folder opens as one index
 * console.assert(index instanceof PartedIndex && index.isResident && index.manifest.docCount === 3);
 * const [hits] = await index.search({ dim: 2, vectors: Float32Array.of(0, 1), offsets: Int32Array.of(0, 1) }, 2);
 * // the merged top 2 over both parts: c (1.0, part 0), b (0.8, part 1)
 * console.assert(hits.map((h) => h.docno).join() === "c,b");
 * index.close();
 * rmSync(out, { recursive: true, force: true });
 * ```
 */
export class PartedIndex implements VectorIndex {
  readonly queryForm: QueryForm;

  private constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    readonly parts: PartEntry[],
    private readonly opts: VectorBuildOptions,
    /** Loaded parts, or null when they are loaded one at a time per search. */
    private resident: VectorIndex[] | null,
  ) {
    this.queryForm = vectorKind(parts[0].kind).queryForm;
  }

  static async open(dir: string, m: IndexManifest, opts: VectorBuildOptions): Promise<PartedIndex> {
    const parts = partsOf(dir, m);
    await checkParts(dir, m);
    const spec = vectorKind(parts[0].kind);
    const bytes = parts.reduce((a, e) => {
      const pm: IndexManifest = { ...m, kind: e.kind, docCount: e.docCount, vectorCount: e.vectorCount };
      return a + (spec.memoryBytes ? spec.memoryBytes(pm) : e.vectorCount * m.dim * 4);
    }, 0);
    const index = new PartedIndex(dir, m, parts, opts, null);
    if (bytes <= (opts.residentBytes ?? 4 * 2 ** 30))
      index.resident = await Promise.all(parts.map((_, i) => index.loadPart(i)));
    return index;
  }

  /** Whether all parts stay loaded between searches. */
  get isResident(): boolean {
    return this.resident !== null;
  }

  private async loadPart(i: number): Promise<VectorIndex> {
    const pdir = join(this.dir, this.parts[i].name);
    const pm = await readManifest(pdir);
    if (pm.encoderHash !== this.manifest.encoderHash || pm.dim !== this.manifest.dim) {
      throw new XlirError(
        "MISMATCH",
        `${pdir}: encoder ${pm.encoderHash} dim ${pm.dim}, the parts manifest says ${this.manifest.encoderHash} dim ${this.manifest.dim}`,
      );
    }
    return vectorKind(pm.kind).load(pdir, pm, this.opts);
  }

  async search(queries: TokenVectors, k: number): Promise<DocHit[][]> {
    const nq = queries.offsets.length - 1;
    const merged: DocHit[][] = Array.from({ length: nq }, () => []);
    for (let i = 0; i < this.parts.length; i++) {
      const idx = this.resident ? this.resident[i] : await this.loadPart(i);
      try {
        const hits = await idx.search(queries, k);
        hits.forEach((h, q) => merged[q].push(...h));
      } finally {
        if (!this.resident) idx.close();
      }
    }
    return merged.map((h) => h.sort(compareHits).slice(0, k));
  }

  close(): void {
    for (const p of this.resident ?? []) p.close();
    this.resident = null;
  }
}
