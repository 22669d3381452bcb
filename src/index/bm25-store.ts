/**
 * Persistence of a Bm25Index in a folder:
 *   manifest.json  {kind: "bm25", formatVersion, k1, b, lengthNorm, analyzer, analyzerHash, docCount,
 *                   termCount, postingCount, totalLength, files: {name: {bytes, sha256}}}
 *   terms.json     string[V]      vocabulary (term id = position)
 *   docnos.json    string[N]      document ids (doc index = position)
 *   postings.bin   "XLIRBM25" | u32 version | u32 N | u32 V | u32 P
 *                  | u32 docLens[N] | u32 offsets[V+1] | u32 postDocs[P] | u32 postTfs[P]
 *                  (little-endian)
 * Written atomically: everything goes to a temporary sibling folder which is then renamed over
 * the target. Loading checks sizes and SHA-256 of every file, the header against the manifest,
 * and the postings' structure, and refuses (CORRUPT / MISMATCH) rather than guessing.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { XlirError } from "../errors.js";
import type { Analyzer, AnalyzerSpec } from "../text/analyzer.js";
import { analyzerFromSpec, sameAnalyzer } from "../text/analyzers/registry.js";
import { Bm25Index, toAnalyzer } from "./bm25.js";
import type { Bm25Data } from "./bm25.js";

export const BM25_FORMAT_VERSION = 1;
const MAGIC = "XLIRBM25";
const HEADER_BYTES = 8 + 4 * 4;

const FileEntry = z.strictObject({
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const Manifest = z.strictObject({
  kind: z.literal("bm25"),
  formatVersion: z.number().int(),
  k1: z.number(),
  b: z.number(),
  lengthNorm: z.enum(["exact", "lucene"]),
  analyzer: z.strictObject({
    lang: z.string(),
    options: z.record(z.string(), z.union([z.string(), z.number()])),
    family: z.string(),
    resolved: z.record(z.string(), z.union([z.string(), z.number()])),
  }),
  analyzerHash: z.string(),
  docCount: z.number().int().nonnegative(),
  termCount: z.number().int().nonnegative(),
  postingCount: z.number().int().nonnegative(),
  totalLength: z.number().int().nonnegative(),
  files: z.record(z.string(), FileEntry),
  createdAt: z.string(),
});
export type Bm25Manifest = z.infer<typeof Manifest>;

const sha256 = (buf: Buffer): string => createHash("sha256").update(buf).digest("hex");

/**
 * A stable hash of what determines the index terms and scores: analyser family, lang, resolved options, k1, b.
 *
 * @example
 * ```ts
 * import { bm25AnalyzerHash, toAnalyzer } from "xlir";
 * const h = bm25AnalyzerHash(toAnalyzer("en"));
 * console.assert(/^[0-9a-f]{16}$/.test(h) && h === bm25AnalyzerHash(toAnalyzer("en")));
 * console.assert(h !== bm25AnalyzerHash(toAnalyzer({ lang: "en", options: { stemmer: "none" } })));
 * ```
 */
export function bm25AnalyzerHash(analyzer: Analyzer): string {
  const key = JSON.stringify({
    family: analyzer.family,
    lang: analyzer.spec.lang,
    resolved: analyzer.resolved,
  });
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

function u32Bytes(a: Uint32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes the index to `dir` atomically (replacing a previous index there).
 *
 * @example
 * ```ts
 * import { mkdtempSync, readdirSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, saveBm25 } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const index = Bm25Index.build([{ id: "d1", text: "red fox" }, { id: "d2", text: "blue sea" }]);
 * const m = await saveBm25(index, join(dir, "bm25"));
 * console.assert(m.docCount === 2 && m.termCount === 4 && m.postingCount === 4 && m.totalLength === 4);
 * console.assert(readdirSync(join(dir, "bm25")).sort().join() === "docnos.json,manifest.json,postings.bin,terms.json");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function saveBm25(index: Bm25Index, dir: string): Promise<Bm25Manifest> {
  if (endianness() !== "LE")
    throw new XlirError("UNSUPPORTED", "bm25 index files are little-endian; this machine is big-endian");
  const target = resolve(dir);
  if (existsSync(target)) {
    const entries = await readdir(target);
    if (entries.length > 0 && !entries.includes("manifest.json")) {
      throw new XlirError("USAGE", `${dir}: folder exists and is not an xlir index; refusing to replace it`);
    }
  }
  const d = index.data;
  const N = d.docnos.length,
    V = d.terms.length,
    P = d.postDocs.length;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, "ascii");
  [BM25_FORMAT_VERSION, N, V, P].forEach((v, i) => header.writeUInt32LE(v, 8 + 4 * i));
  const postings = Buffer.concat([
    header,
    u32Bytes(d.docLens),
    u32Bytes(d.offsets),
    u32Bytes(d.postDocs),
    u32Bytes(d.postTfs),
  ]);
  const files: Record<string, Buffer> = {
    "terms.json": Buffer.from(JSON.stringify(d.terms)),
    "docnos.json": Buffer.from(JSON.stringify(d.docnos)),
    "postings.bin": postings,
  };
  let totalLength = 0;
  for (let i = 0; i < N; i++) totalLength += d.docLens[i];
  const a = index.analyzer;
  const manifest: Bm25Manifest = {
    kind: "bm25",
    formatVersion: BM25_FORMAT_VERSION,
    k1: index.params.k1,
    b: index.params.b,
    lengthNorm: index.params.lengthNorm,
    analyzer: {
      lang: a.spec.lang,
      options: { ...a.spec.options },
      family: a.family,
      resolved: { ...a.resolved },
    },
    analyzerHash: bm25AnalyzerHash(a),
    docCount: N,
    termCount: V,
    postingCount: P,
    totalLength,
    files: Object.fromEntries(
      Object.entries(files).map(([n, b]) => [n, { bytes: b.length, sha256: sha256(b) }]),
    ),
    createdAt: new Date().toISOString(),
  };
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const [name, buf] of Object.entries(files)) await writeFile(join(tmp, name), buf);
    await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return manifest;
}

/**
 * Reads and validates manifest.json of a BM25 index folder.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, XlirError, readBm25Manifest, saveBm25 } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * await saveBm25(Bm25Index.build([{ id: "d1", text: "red fox" }], { k1: 1.2, b: 0.5 }), dir);
 * const m = await readBm25Manifest(dir);
 * console.assert(m.kind === "bm25" && m.k1 === 1.2 && m.b === 0.5 && m.docCount === 1);
 * const err = await readBm25Manifest(join(dir, "nowhere")).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "NOT_FOUND");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readBm25Manifest(dir: string): Promise<Bm25Manifest> {
  const path = join(dir, "manifest.json");
  if (!existsSync(path))
    throw new XlirError("NOT_FOUND", `${path}: no index manifest (is ${dir} an index folder?)`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new XlirError("CORRUPT", `${path}: not valid JSON`, { cause: err });
  }
  if (typeof raw === "object" && raw !== null && "kind" in raw && raw.kind !== "bm25") {
    throw new XlirError("MISMATCH", `${path}: index kind is '${String(raw.kind)}', expected 'bm25'`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success)
    throw new XlirError(
      "CORRUPT",
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  if (parsed.data.formatVersion !== BM25_FORMAT_VERSION) {
    throw new XlirError(
      "UNSUPPORTED",
      `${path}: bm25 format version ${parsed.data.formatVersion}; this xlir reads ${BM25_FORMAT_VERSION}`,
    );
  }
  return parsed.data;
}

async function readChecked(dir: string, name: string, m: Bm25Manifest): Promise<Buffer> {
  const entry = m.files[name];
  const path = join(dir, name);
  if (!entry) throw new XlirError("CORRUPT", `${join(dir, "manifest.json")}: lists no '${name}'`);
  if (!existsSync(path)) throw new XlirError("CORRUPT", `${path}: missing`);
  const buf = await readFile(path);
  if (buf.length !== entry.bytes)
    throw new XlirError("CORRUPT", `${path}: ${buf.length} bytes, manifest says ${entry.bytes} (truncated?)`);
  if (sha256(buf) !== entry.sha256)
    throw new XlirError("CORRUPT", `${path}: SHA-256 differs from the manifest`);
  return buf;
}

function jsonStrings(buf: Buffer, path: string, n: number): string[] {
  const v: unknown = JSON.parse(buf.toString("utf8"));
  if (!Array.isArray(v) || v.length !== n || !v.every((s) => typeof s === "string")) {
    throw new XlirError("CORRUPT", `${path}: expected a JSON array of ${n} strings`);
  }
  return v as string[];
}

/**
 * Loads an index folder. With `expect.analyzer`, refuses (MISMATCH) an index built with another
 * analysis (family, language or resolved options differ).
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Bm25Index, XlirError, loadBm25, saveBm25 } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const built = Bm25Index.build([{ id: "d1", text: "red fox" }, { id: "d2", text: "blue sea" }]);
 * await saveBm25(built, dir);
 * const loaded = await loadBm25(dir, { analyzer: "en" });
 * console.assert(JSON.stringify(loaded.search("fox", 2)) === JSON.stringify(built.search("fox", 2)));
 * const other = await loadBm25(dir, { analyzer: "de" }).catch((e: unknown) => e);
 * console.assert(other instanceof XlirError && other.code === "MISMATCH");
 * writeFileSync(join(dir, "terms.json"), "[]"); // no longer what the manifest hashed
 * const bad = await loadBm25(dir).catch((e: unknown) => e);
 * console.assert(bad instanceof XlirError && bad.code === "CORRUPT");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function loadBm25(
  dir: string,
  expect: { analyzer?: Analyzer | AnalyzerSpec | string } = {},
): Promise<Bm25Index> {
  if (endianness() !== "LE")
    throw new XlirError("UNSUPPORTED", "bm25 index files are little-endian; this machine is big-endian");
  const m = await readBm25Manifest(dir);
  const analyzer = analyzerFromSpec({
    lang: m.analyzer.lang,
    options: m.analyzer.options as AnalyzerSpec["options"],
  });
  if (bm25AnalyzerHash(analyzer) !== m.analyzerHash) {
    throw new XlirError(
      "MISMATCH",
      `${dir}: the index was built with analyser ${JSON.stringify(m.analyzer.resolved)} which this xlir resolves differently`,
    );
  }
  if (expect.analyzer !== undefined) {
    const want = toAnalyzer(expect.analyzer);
    if (!sameAnalyzer(want, analyzer)) {
      throw new XlirError(
        "MISMATCH",
        `${dir}: index built with analyser ${analyzer.spec.lang}/${analyzer.family} ${JSON.stringify(analyzer.resolved)}, but ${want.spec.lang}/${want.family} ${JSON.stringify(want.resolved)} was requested`,
      );
    }
  }
  const N = m.docCount,
    V = m.termCount,
    P = m.postingCount;
  const terms = jsonStrings(await readChecked(dir, "terms.json", m), join(dir, "terms.json"), V);
  const docnos = jsonStrings(await readChecked(dir, "docnos.json", m), join(dir, "docnos.json"), N);
  const bin = await readChecked(dir, "postings.bin", m);
  const binPath = join(dir, "postings.bin");
  const expected = HEADER_BYTES + 4 * (N + V + 1 + 2 * P);
  if (bin.length !== expected || bin.toString("ascii", 0, 8) !== MAGIC)
    throw new XlirError("CORRUPT", `${binPath}: bad magic or size`);
  const head = [0, 1, 2, 3].map((i) => bin.readUInt32LE(8 + 4 * i));
  if (head[0] !== BM25_FORMAT_VERSION || head[1] !== N || head[2] !== V || head[3] !== P) {
    throw new XlirError("CORRUPT", `${binPath}: header (${head.join(", ")}) contradicts the manifest`);
  }
  // Copy into an aligned buffer: Buffer slices of small files may start at unaligned offsets.
  const all = new Uint32Array((bin.length - HEADER_BYTES) / 4);
  new Uint8Array(all.buffer).set(bin.subarray(HEADER_BYTES));
  let at = 0;
  const take = (n: number): Uint32Array => all.subarray(at, (at += n));
  const data: Bm25Data = {
    terms,
    docnos,
    docLens: take(N),
    offsets: take(V + 1),
    postDocs: take(P),
    postTfs: take(P),
  };
  let total = 0;
  for (let i = 0; i < N; i++) total += data.docLens[i];
  const o = data.offsets;
  let ok = o[0] === 0 && o[V] === P && total === m.totalLength;
  for (let t = 0; ok && t < V; t++) ok = o[t] <= o[t + 1];
  for (let i = 0; ok && i < P; i++) ok = data.postDocs[i] < N && data.postTfs[i] > 0;
  if (!ok)
    throw new XlirError("CORRUPT", `${binPath}: postings are inconsistent (offsets, doc ids or lengths)`);
  return new Bm25Index(data, analyzer, { k1: m.k1, b: m.b, lengthNorm: m.lengthNorm });
}
