/**
 * The chunks of an index build (see build.ts): documents are encoded a chunk at a time and each
 * chunk committed as `chunk-NNNNN.{f32,json,off}` in the build folder, the `.off` file last (the
 * commit marker), so that an interrupted build resumes from the last complete chunk; a resumed
 * chunk must hold the same documents (the hash of their ids and texts).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CorpusDoc } from "../data/corpus.js";
import type { RetrievalEncoder } from "../models/types.js";
import type { PartSpec } from "./parts.js";
import type { VectorChunk } from "./types.js";
import { RowFile } from "./vector-file.js";

/**
 * The text a document encoder sees: title and body joined by a space.
 *
 * @example
 * ```ts
 * import { docText } from "xlir";
 * console.assert(docText({ id: "d1", title: "Cats", text: "they purr" }) === "Cats they purr");
 * console.assert(docText({ id: "d2", title: "", text: "no title" }) === "no title");
 * ```
 */
export function docText(d: CorpusDoc): string {
  return d.title ? `${d.title} ${d.text}` : d.text;
}

export function chunkName(i: number): string {
  return `chunk-${String(i).padStart(5, "0")}`;
}

/** sha256 over the ids and texts of a chunk's documents (first 16 hex digits): a resumed chunk must match it. */
export function docsHash(docs: readonly CorpusDoc[]): string {
  const h = createHash("sha256");
  for (const d of docs) h.update(d.id).update("\0").update(docText(d)).update("\n");
  return h.digest("hex").slice(0, 16);
}

/** Encodes docs (sorted by length into batches, then restored to input order). -> rows [T, dim], offsets [n + 1]. */
export async function encodeChunk(
  enc: RetrievalEncoder,
  docs: readonly CorpusDoc[],
  form: "tokens" | "pooled",
  batchSize: number,
  onBatch: (n: number) => void,
): Promise<{ vectors: Float32Array; offsets: Int32Array }> {
  const texts = docs.map(docText);
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const perDoc: Float32Array[] = new Array(docs.length);
  const dim = enc.dim;
  for (let b0 = 0; b0 < order.length; b0 += batchSize) {
    const ids = order.slice(b0, b0 + batchSize);
    const batch = ids.map((i) => texts[i]);
    if (form === "tokens") {
      const tv = await enc.encodeTokens(batch, "document");
      ids.forEach((id, j) => (perDoc[id] = tv.vectors.slice(tv.offsets[j] * dim, tv.offsets[j + 1] * dim)));
    } else {
      const pooled = await enc.encodePooled(batch, "document"); // [batch, dim]
      ids.forEach((id, j) => (perDoc[id] = pooled.slice(j * dim, (j + 1) * dim)));
    }
    onBatch(ids.length);
  }
  const offsets = new Int32Array(docs.length + 1);
  perDoc.forEach((v, i) => (offsets[i + 1] = offsets[i] + v.length / dim));
  const vectors = new Float32Array(offsets[docs.length] * dim);
  perDoc.forEach((v, i) => vectors.set(v, offsets[i] * dim));
  return { vectors, offsets };
}

export interface ChunkMeta {
  docnos: string[];
  hash: string;
  rows: number;
}

/** Reads committed chunk `i` (null when it is absent or incomplete: the `.off` file is the commit marker). */
export async function readChunkMeta(dir: string, i: number): Promise<ChunkMeta | null> {
  const offPath = join(dir, `${chunkName(i)}.off`);
  const metaPath = join(dir, `${chunkName(i)}.json`);
  if (!existsSync(offPath) || !existsSync(metaPath)) return null;
  return JSON.parse(await readFile(metaPath, "utf8")) as ChunkMeta;
}

export function readChunk(dir: string, i: number, meta: ChunkMeta, dim: number): VectorChunk {
  const n = meta.docnos.length;
  const offFile = RowFile.open(join(dir, `${chunkName(i)}.off`), n + 1, 4, `offsets of chunk ${i}`);
  const offsets = new Int32Array(n + 1);
  offFile.read(0, n + 1, new Uint8Array(offsets.buffer));
  offFile.close();
  const vecFile = RowFile.open(
    join(dir, `${chunkName(i)}.f32`),
    offsets[n],
    dim * 4,
    `vectors of chunk ${i}`,
  );
  const vectors = new Float32Array(offsets[n] * dim);
  vecFile.read(0, offsets[n], new Uint8Array(vectors.buffer));
  vecFile.close();
  return { vectors, offsets, docnos: meta.docnos };
}

/** Streams the documents of one part (all documents without a part spec), in chunks of `size`. */
export async function* chunksOf(
  docs: readonly CorpusDoc[] | AsyncIterable<CorpusDoc>,
  size: number,
  part: PartSpec | undefined,
): AsyncGenerator<CorpusDoc[]> {
  let buf: CorpusDoc[] = [];
  let pos = 0;
  for await (const d of docs) {
    const mine = !part || pos % part.count === part.index;
    pos++;
    if (!mine) continue;
    buf.push(d);
    if (buf.length === size) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}
