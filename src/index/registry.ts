/** Vector index kinds by name (BM25 lives in bm25.ts, owned separately, and is dispatched by name). */
import { XlirError } from "../errors.js";
import { multiExactSpec, multiSpec } from "./multi.js";
import { plaidSpec } from "./plaid.js";
import { singleHnswSpec, singleSpec } from "./single.js";
import { readManifest } from "./storage.js";
import { PARTS_KIND, type VectorBuildOptions, type VectorIndex, type VectorKindSpec } from "./types.js";

export const VECTOR_KINDS: Record<string, VectorKindSpec> = {
  multi: multiSpec,
  "multi-exact": multiExactSpec,
  "multi-plaid": plaidSpec,
  single: singleSpec,
  "single-hnsw": singleHnswSpec,
};

/** Every kind `xlir index --kind` accepts. */
export const INDEX_KINDS = [...Object.keys(VECTOR_KINDS), "bm25"] as const;

/**
 * The registry entry of a vector index kind; an unknown kind is refused (USAGE) with the known ones.
 *
 * @example
 * ```ts
 * import { XlirError, vectorKind } from "xlir";
 * console.assert(vectorKind("multi-exact").queryForm === "tokens" && !vectorKind("multi-exact").approximate);
 * console.assert(vectorKind("single-hnsw").queryForm === "pooled" && vectorKind("single-hnsw").approximate);
 * let err: unknown;
 * try {
 *   vectorKind("bm25"); // lexical, not a vector kind
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "USAGE");
 * ```
 */
export function vectorKind(kind: string): VectorKindSpec {
  const spec = VECTOR_KINDS[kind];
  if (!spec)
    throw new XlirError(
      "USAGE",
      `unknown vector index kind '${kind}'; known: ${Object.keys(VECTOR_KINDS).join(", ")}`,
    );
  return spec;
}

/**
 * Opens a vector index folder (manifest checked, files size-checked against it); a parts folder
 * (kind "parts", see parts.ts) opens as one index that fans out over its parts.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { SingleVectorIndex, XlirError, openVectorIndex, writeVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const data = { kind: "single", encoderHash: "demo", dim: 2, vectors: Float32Array.of(1, 0, 0, 1), offsets: Int32Array.of(0, 1, 2), docnos: ["a", "b"] };
 * await writeVectorIndex(join(dir, "single"), data);
 * const index = await openVectorIndex(join(dir, "single"));
 * console.assert(index instanceof SingleVectorIndex && index.manifest.docCount === 2);
 * index.close();
 * const err = await openVectorIndex(join(dir, "nothing")).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "NOT_FOUND");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function openVectorIndex(dir: string, opts: VectorBuildOptions = {}): Promise<VectorIndex> {
  const m = await readManifest(dir);
  if (m.kind === PARTS_KIND) return (await import("./parted-index.js")).PartedIndex.open(dir, m, opts);
  const spec = VECTOR_KINDS[m.kind];
  if (!spec) {
    throw new XlirError(
      "UNSUPPORTED",
      `${dir}: index kind '${m.kind}' is not a vector index; vector kinds: ${Object.keys(VECTOR_KINDS).join(", ")}`,
    );
  }
  return spec.load(dir, m, opts);
}
