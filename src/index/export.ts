/**
 * Export of a multi-vector index to the feed formats of engines with native late interaction
 * (docs/serving.md): one document per record, its token vectors as a list of rows, read document
 * by document (positional reads; multi-plaid rows are decompressed), never the whole index.
 *
 * - `qdrant-jsonl`: a point per line, `{"id": n, "vector": {"<field>": [[...], ...]}, "payload": {"docno": "..."}}`
 *   for a collection whose named vector `<field>` has `multivector_config: {comparator: "max_sim"}`
 *   (send lines in batches as `{"points": [...]}` to PUT /collections/NAME/points).
 * - `es-ndjson`: the `_bulk` body, action line `{"index": {"_index": "<name>", "_id": "<docno>"}}` then
 *   `{"<field>": [[...], ...]}` for a `rank_vectors` field.
 * - `vespa-jsonl`: a put per line, `{"put": "id:<name>:<name>::<docno>", "fields": {"<field>": {"blocks": {"0": [...], ...}}}}`
 *   for a `tensor<float>(token{}, v[dim])` field.
 */
import { join } from "node:path";
import { XlirError } from "../errors.js";
import { PlaidIndex } from "./plaid.js";
import { openVectorIndex } from "./registry.js";
import { readDocnos, readManifest, readOffsets, vectorsFile } from "./storage.js";
import { PARTS_KIND, type IndexManifest } from "./types.js";
import { VectorFile } from "./vector-file.js";

export const EXPORT_FORMATS = ["qdrant-jsonl", "es-ndjson", "vespa-jsonl"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  /** Vector field name (default "colbert"). */
  field?: string;
  /** Index / collection / document type name (default "xlir"). */
  name?: string;
  /** Decimal places of the exported values (default 6). */
  decimals?: number;
}

/** One document's rows [n, dim] as nested arrays rounded to `decimals` places. */
function rowsOf(v: Float32Array, n: number, dim: number, decimals: number): number[][] {
  const f = 10 ** decimals;
  return Array.from({ length: n }, (_, r) =>
    Array.from(v.subarray(r * dim, (r + 1) * dim), (x) => Math.round(x * f) / f),
  );
}

/** Calls `each(docno, rows, n)` for every document of a multi-vector index folder (parts in order). */
async function forEachDocument(
  dir: string,
  each: (docno: string, rows: Float32Array, n: number, dim: number) => Promise<void>,
): Promise<void> {
  const m: IndexManifest = await readManifest(dir);
  if (m.kind === PARTS_KIND) {
    for (const p of (m as IndexManifest & { parts: Array<{ name: string }> }).parts)
      await forEachDocument(join(dir, p.name), each);
    return;
  }
  if (m.kind === "multi-plaid") {
    const index = (await openVectorIndex(dir)) as PlaidIndex;
    try {
      for (let j = 0; j < m.docCount; j++) {
        const { rows, offsets } = index.decompressDocs([j]);
        await each(index.docnos[j], rows, offsets[1], m.dim);
      }
    } finally {
      index.close();
    }
    return;
  }
  if (m.kind !== "multi" && m.kind !== "multi-exact")
    throw new XlirError(
      "UNSUPPORTED",
      `${dir}: export needs a multi-vector index (multi, multi-exact, multi-plaid or parts of them), not '${m.kind}'`,
    );
  const docnos = await readDocnos(dir, m.docCount);
  const offsets = await readOffsets(dir, m);
  const file = VectorFile.open(join(dir, vectorsFile(m.storage)), m.vectorCount, m.dim, m.storage);
  try {
    for (let j = 0; j < m.docCount; j++)
      await each(docnos[j], file.read(offsets[j], offsets[j + 1]), offsets[j + 1] - offsets[j], m.dim);
  } finally {
    file.close();
  }
}

/**
 * Streams the export of `dir` as lines to `write`; returns the number of documents.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { exportIndex, writeVectorIndex } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const vectors = Float32Array.of(1, 0, 0, 1, 0.6, 0.8); // doc "a": 2 tokens, doc "b": 1 token
 * await writeVectorIndex(dir, { kind: "multi-exact", encoderHash: "demo", dim: 2, vectors, offsets: Int32Array.of(0, 2, 3), docnos: ["a", "b"] });
 * const lines: string[] = [];
 * const n = await exportIndex(dir, { format: "qdrant-jsonl", decimals: 1 }, async (line) => void lines.push(line));
 * console.assert(n === 2 && lines.length === 2);
 * console.assert(lines[1] === '{"id":1,"vector":{"colbert":[[0.6,0.8]]},"payload":{"docno":"b"}}');
 * const bulk: string[] = [];
 * await exportIndex(dir, { format: "es-ndjson", name: "docs" }, async (line) => void bulk.push(line));
 * console.assert(bulk.length === 4 && bulk[0] === '{"index":{"_index":"docs","_id":"a"}}');
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function exportIndex(
  dir: string,
  o: ExportOptions,
  write: (line: string) => Promise<void>,
): Promise<number> {
  if (!EXPORT_FORMATS.includes(o.format))
    throw new XlirError("USAGE", `unknown export format '${o.format}'; known: ${EXPORT_FORMATS.join(", ")}`);
  const field = o.field ?? "colbert";
  const name = o.name ?? "xlir";
  const decimals = o.decimals ?? 6;
  let n = 0;
  await forEachDocument(dir, async (docno, v, rows, dim) => {
    const matrix = rowsOf(v, rows, dim, decimals);
    if (o.format === "qdrant-jsonl")
      await write(JSON.stringify({ id: n, vector: { [field]: matrix }, payload: { docno } }));
    else if (o.format === "es-ndjson") {
      await write(JSON.stringify({ index: { _index: name, _id: docno } }));
      await write(JSON.stringify({ [field]: matrix }));
    } else {
      const blocks: Record<string, number[]> = {};
      matrix.forEach((row, t) => (blocks[String(t)] = row));
      await write(JSON.stringify({ put: `id:${name}:${name}::${docno}`, fields: { [field]: { blocks } } }));
    }
    n++;
  });
  return n;
}
