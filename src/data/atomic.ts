/**
 * Atomic output: every file the project writes appears whole or not at all (a temporary file in
 * the same folder, then one rename); a path ending in `.gz` is gzipped.
 */
import { createWriteStream, promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/**
 * Writes `data` to `path` atomically (temp file in the same folder, then rename); `.gz` gzips.
 * @example
 * ```ts
 * import { writeFileAtomic } from "xlir";
 * import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "sub", "out.txt"); // missing folders are created
 * await writeFileAtomic(file, "v1");
 * await writeFileAtomic(file, "v2");
 * console.assert(readFileSync(file, "utf8") === "v2" && readdirSync(join(dir, "sub")).join() === "out.txt");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  const bytes = path.endsWith(".gz")
    ? gzipSync(typeof data === "string" ? Buffer.from(data, "utf8") : data, { level: 6 })
    : data;
  try {
    await fsp.writeFile(tmp, bytes);
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A streaming writer that becomes visible at `path` only when `close()` succeeds; `.gz` gzips.
 * @example
 * ```ts
 * import { AtomicLineWriter } from "xlir";
 * import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "lines.txt");
 * const w = await AtomicLineWriter.create(file);
 * await w.write("a");
 * await w.write("b");
 * console.assert(!existsSync(file)); // not visible before close()
 * await w.close();
 * console.assert(readFileSync(file, "utf8") === "a\nb\n");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class AtomicLineWriter {
  private readonly tmp: string;
  private readonly file: ReturnType<typeof createWriteStream>;
  /** What lines are written to: the file, or a gzip stream into it when the path ends in `.gz`. */
  private readonly out: Writable;
  private failed: Error | undefined;
  constructor(readonly path: string) {
    this.tmp = tempName(path);
    this.file = createWriteStream(this.tmp);
    this.file.on("error", (e) => (this.failed = e));
    if (path.endsWith(".gz")) {
      const gz = createGzip({ level: 6 });
      gz.on("error", (e) => (this.failed = e));
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
  }
  static async create(path: string): Promise<AtomicLineWriter> {
    await fsp.mkdir(dirname(path), { recursive: true });
    return new AtomicLineWriter(path);
  }
  /** Writes one line (a newline is appended); waits when the stream buffer is full. */
  async write(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    if (!this.out.write(line + "\n")) await new Promise<void>((r) => this.out.once("drain", () => r()));
  }
  async close(): Promise<void> {
    this.out.end();
    await Promise.all([finished(this.out), finished(this.file)]);
    if (this.failed) throw this.failed;
    await fsp.rename(this.tmp, this.path);
  }
  async abort(): Promise<void> {
    this.out.destroy();
    this.file.destroy();
    await fsp.rm(this.tmp, { force: true });
  }
}

/**
 * Writes lines atomically (each followed by a newline).
 * @example
 * ```ts
 * import { writeLinesAtomic } from "xlir";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const file = join(dir, "out.txt");
 * await writeLinesAtomic(file, ["x", "y"]);
 * console.assert(readFileSync(file, "utf8") === "x\ny\n");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export async function writeLinesAtomic(path: string, lines: Iterable<string>): Promise<void> {
  const parts: string[] = [];
  for (const l of lines) parts.push(l, "\n");
  await writeFileAtomic(path, parts.join(""));
}
