/**
 * Streaming line input shared by every reader in src/data (atomic output is in atomic.ts).
 *
 * Input: gzip is detected by the `.gz` extension or the magic bytes 1f 8b; a UTF-8 byte-order
 * mark is dropped; CRLF and LF both end a line; invalid UTF-8 is an error naming file and line.
 * Lines are split on the byte 0x0A, which never occurs inside a multi-byte UTF-8 sequence, so
 * each chunk of complete lines is decoded at once (fatal decoder) and only re-decoded line by
 * line to find the culprit when decoding fails. Memory is bounded by the chunk size plus the
 * longest line.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { XlirError, inputError } from "../errors.js";

/** One line of a text file; `lineNo` counts from 1. */
export interface TextLine {
  text: string;
  lineNo: number;
}

async function isGzip(file: string): Promise<boolean> {
  if (file.endsWith(".gz")) return true;
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Opens a file as a byte stream, gunzipping when needed; missing files raise NOT_FOUND.
 * @example
 * ```ts
 * import { openBytes, writeFileAtomic } from "xlir";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "a.txt.gz");
 * await writeFileAtomic(file, "hello\n"); // `.gz`: written gzipped
 * const chunks: Buffer[] = [];
 * for await (const c of await openBytes(file)) chunks.push(c as Buffer);
 * console.assert(Buffer.concat(chunks).toString("utf8") === "hello\n"); // read back gunzipped
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function openBytes(file: string): Promise<Readable> {
  try {
    await fsp.access(file);
  } catch {
    throw new XlirError("NOT_FOUND", `${file}: no such file`);
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!(await isGzip(file))) return raw;
  const gun = createGunzip();
  raw.on("error", (e) => gun.destroy(e));
  return raw.pipe(gun);
}

function decodeLines(file: string, bytes: Buffer, firstLineNo: number, decoder: TextDecoder): string[] {
  try {
    return decoder.decode(bytes).split("\n");
  } catch {
    let start = 0;
    let no = firstLineNo;
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        throw inputError(file, no, "invalid UTF-8 (expected UTF-8 text)");
      }
      if (nl < 0) break;
      start = nl + 1;
      no++;
    }
    throw inputError(file, firstLineNo, "invalid UTF-8 (expected UTF-8 text)");
  }
}

/**
 * Yields every line of `file` (gzip-aware, BOM and CR stripped, UTF-8 validated). A final
 * empty line after the last newline is not yielded.
 * @example
 * ```ts
 * import { readLines } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "a.txt");
 * writeFileSync(file, "\uFEFFfirst\r\nsecond\n"); // BOM, CRLF then LF
 * const lines = [];
 * for await (const l of readLines(file)) lines.push(`${l.lineNo}:${l.text}`);
 * console.assert(lines.join("|") === "1:first|2:second");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function* readLines(file: string): AsyncGenerator<TextLine> {
  const stream = await openBytes(file);
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 1;
  let first = true;
  const emit = function* (bytes: Buffer, last: boolean): Generator<TextLine> {
    if (first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
      bytes = bytes.subarray(3);
    first = false;
    const parts = decodeLines(file, bytes, lineNo, decoder);
    const n = last && parts[parts.length - 1] === "" ? parts.length - 1 : parts.length;
    for (let i = 0; i < n; i++) {
      let t = parts[i];
      if (t.endsWith("\r")) t = t.slice(0, -1);
      yield { text: t, lineNo: lineNo++ };
    }
  };
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      const nl = buf.lastIndexOf(0x0a);
      if (nl < 0) {
        carry = carry.length ? Buffer.concat([carry, buf]) : buf;
        continue;
      }
      const head = carry.length ? Buffer.concat([carry, buf.subarray(0, nl)]) : buf.subarray(0, nl);
      carry = buf.subarray(nl + 1);
      yield* emit(head, false);
    }
  } catch (e) {
    if (e instanceof XlirError) throw e;
    throw new XlirError("CORRUPT", `${file}: cannot read (${(e as Error).message})`);
  }
  if (carry.length) yield* emit(carry, true);
}

/**
 * Reads a whole text file into memory (gzip-aware, BOM stripped, UTF-8 validated).
 * @example
 * ```ts
 * import { readText, XlirError } from "xlir";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "ok.txt"), "\uFEFFeuskara\n");
 * console.assert((await readText(join(dir, "ok.txt"))) === "euskara\n");
 * writeFileSync(join(dir, "bad.txt"), Buffer.from([0x61, 0x0a, 0xff, 0x0a])); // line 2 is not UTF-8
 * const err = await readText(join(dir, "bad.txt")).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.message.endsWith("bad.txt:2: invalid UTF-8 (expected UTF-8 text)"));
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function readText(file: string): Promise<string> {
  const stream = await openBytes(file);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    const bad = decodeLines(file, buf, 1, new TextDecoder("utf-8", { fatal: true }));
    return bad.join("\n");
  }
}

/**
 * How duplicate ids are handled by readers: error (default) or keep the first occurrence; both
 * keep a set of the ids seen (memory grows with the number of records, ~70 bytes per id).
 * "unchecked" yields every record without remembering ids (constant memory).
 */
export type DuplicatePolicy = "error" | "keep-first" | "unchecked";

/**
 * Tracks ids seen by a reader and applies the duplicate policy. Returns false to skip a record.
 * @example
 * ```ts
 * import { IdGuard, XlirError } from "xlir";
 * const keep = new IdGuard("docs.jsonl", "keep-first");
 * console.assert(keep.accept("d1", 1) && !keep.accept("d1", 2) && keep.accept("d2", 3));
 * const strict = new IdGuard("docs.jsonl"); // default policy: "error"
 * strict.accept("d1", 1);
 * let err: unknown;
 * try {
 *   strict.accept("d1", 4);
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "BAD_INPUT" && err.message.startsWith("docs.jsonl:4: duplicate id 'd1'"));
 * ```
 */
export class IdGuard {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly file: string,
    private readonly policy: DuplicatePolicy = "error",
  ) {}
  accept(id: string, lineNo: number): boolean {
    if (this.policy === "unchecked") return true;
    const prev = this.seen.get(id);
    if (prev !== undefined) {
      if (this.policy === "keep-first") return false;
      throw inputError(
        this.file,
        lineNo,
        `duplicate id '${id}' (first seen on line ${prev}); pass duplicates: "keep-first" to keep the first`,
      );
    }
    this.seen.set(id, lineNo);
    return true;
  }
}

/**
 * Parses one line of a JSONL file that must hold a JSON object; `what` names the record expected
 * (e.g. "JSON object", "NeuCLIR topic object") in the error, which names file and line.
 */
export function parseJsonLine(
  text: string,
  file: string,
  lineNo: number,
  what: string,
): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw inputError(file, lineNo, `invalid JSON (${(e as Error).message}); expected one ${what} per line`);
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw inputError(file, lineNo, "expected a JSON object");
  return obj as Record<string, unknown>;
}

/**
 * Drains an async iterator into an array.
 * @example
 * ```ts
 * import { drain } from "xlir";
 * async function* gen() {
 *   yield 1;
 *   yield 2;
 * }
 * console.assert((await drain(gen())).join() === "1,2");
 * ```
 */
export async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * sha256 (hex) of a file's bytes, streamed; an unreadable file is a NOT_FOUND error naming it.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { fileDigest, fileSha256 } from "xlir";
 * const file = join(mkdtempSync(join(tmpdir(), "xlir-ex-")), "a.txt");
 * writeFileSync(file, "abc");
 * const hex = await fileSha256(file);
 * console.assert(hex === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * console.assert((await fileDigest(file)) === hex.slice(0, 16)); // the short form stage keys use
 * await fileSha256(join(file, "missing")).catch((e) => console.assert(e.code === "NOT_FOUND"));
 * ```
 */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash("sha256");
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, "r");
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 22, autoClose: false }))
      h.update(chunk as Buffer);
  } catch (err) {
    throw new XlirError(
      "NOT_FOUND",
      `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  } finally {
    await fh?.close();
  }
  return h.digest("hex");
}

/**
 * The first 16 hex digits of a file's sha256 (fileSha256): the short form stage keys use.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { fileDigest } from "xlir";
 * const file = join(mkdtempSync(join(tmpdir(), "xlir-ex-")), "a.txt");
 * writeFileSync(file, "abc");
 * console.assert((await fileDigest(file)) === "ba7816bf8f01cfea");
 * ```
 */
export async function fileDigest(path: string): Promise<string> {
  return (await fileSha256(path)).slice(0, 16);
}
