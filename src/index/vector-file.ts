/**
 * Positional reads of large index files: a file is never read whole (no `fs.readFile`, no 2 GiB
 * ceiling); callers ask for a row range and get exactly those bytes through `fs.readSync` at an
 * offset (the page cache does the rest, as a memory map would). Rows are fixed-width records:
 * float32/float16 vectors [rows, dim], int32 offsets, packed residual codes.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { XlirError } from "../errors.js";
import type { VectorDtype } from "./types.js";
import { halfToFloat } from "../util/float16.js";

/** Largest single read, in bytes (64 MiB). */
const READ_BLOCK = 1 << 26;

/**
 * A read-only file of `rows` fixed-width records of `rowBytes` bytes, size-checked at open.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileSync } from "node:fs";
 * import { RowFile, XlirError } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "rows.bin"), Uint8Array.of(1, 2, 3, 4, 5, 6)); // 3 rows of 2 bytes
 * const f = RowFile.open(join(dir, "rows.bin"), 3, 2, "demo rows");
 * console.assert(Array.from(f.read(1, 3)).join() === "3,4,5,6");
 * f.close();
 * let err: unknown;
 * try {
 *   RowFile.open(join(dir, "rows.bin"), 4, 2, "demo rows"); // 8 bytes expected, 6 found
 * } catch (e) {
 *   err = e;
 * }
 * console.assert(err instanceof XlirError && err.code === "CORRUPT");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class RowFile {
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    readonly rows: number,
    readonly rowBytes: number,
  ) {
    this.fd = fd;
  }

  /** Opens `path`, refusing (CORRUPT, naming the file and `what`) a missing file or one whose size is not rows * rowBytes. */
  static open(path: string, rows: number, rowBytes: number, what: string): RowFile {
    if (!existsSync(path)) throw new XlirError("CORRUPT", `${path}: missing (${what})`);
    const fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    if (size !== rows * rowBytes) {
      closeSync(fd);
      throw new XlirError(
        "CORRUPT",
        `${path}: ${size} bytes, but the manifest implies ${rows * rowBytes} (${what}); the file is truncated or was overwritten, rebuild it`,
      );
    }
    return new RowFile(path, fd, rows, rowBytes);
  }

  /** Reads rows [from, to) into `out` (or a new buffer). -> bytes [(to - from) * rowBytes]. */
  read(from: number, to: number, out?: Uint8Array): Uint8Array {
    if (this.fd === null) throw new XlirError("INTERNAL", `${this.path}: read after close`);
    if (from < 0 || to > this.rows || from > to)
      throw new XlirError("INTERNAL", `${this.path}: rows ${from}..${to} outside 0..${this.rows}`);
    const bytes = (to - from) * this.rowBytes;
    const buf = out ?? new Uint8Array(bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(this.fd, buf, done, Math.min(READ_BLOCK, bytes - done), from * this.rowBytes + done);
      if (n === 0)
        throw new XlirError(
          "CORRUPT",
          `${this.path}: ends early at byte ${from * this.rowBytes + done} (the file was truncated while open)`,
        );
      done += n;
    }
    return buf;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A vector matrix file [rows, dim] of float32 or float16 (little-endian), read as float32 row ranges.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { writeFileSync } from "node:fs";
 * import { VectorFile } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * writeFileSync(join(dir, "v.f32"), new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer)); // [2, 2]
 * const f32 = VectorFile.open(join(dir, "v.f32"), 2, 2, "float32");
 * console.assert(Array.from(f32.read(1, 2)).join() === "3,4");
 * f32.close();
 * writeFileSync(join(dir, "v.f16"), new Uint8Array(Uint16Array.of(0x3c00, 0xc000).buffer)); // 1.0, -2.0 in half precision
 * const f16 = VectorFile.open(join(dir, "v.f16"), 1, 2, "float16");
 * console.assert(Array.from(f16.read(0, 1)).join() === "1,-2");
 * f16.close();
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class VectorFile {
  private readonly file: RowFile;
  private constructor(
    file: RowFile,
    readonly dim: number,
    readonly dtype: VectorDtype,
  ) {
    this.file = file;
  }

  static open(path: string, rows: number, dim: number, dtype: VectorDtype): VectorFile {
    const width = dtype === "float16" ? 2 : 4;
    return new VectorFile(RowFile.open(path, rows, dim * width, `${rows} x ${dim} ${dtype}`), dim, dtype);
  }

  get rows(): number {
    return this.file.rows;
  }

  /** Rows [from, to) as float32 (float16 is widened). -> [(to - from) * dim]. */
  read(from: number, to: number): Float32Array {
    const n = (to - from) * this.dim;
    if (this.dtype === "float32") {
      const out = new Float32Array(n);
      this.file.read(from, to, new Uint8Array(out.buffer));
      return out;
    }
    const half = new Uint16Array(n);
    this.file.read(from, to, new Uint8Array(half.buffer));
    return halfToFloat(half);
  }

  close(): void {
    this.file.close();
  }
}

/** An append-only binary file written through one descriptor (callers write inside a temporary build folder). */
export class AppendFile {
  private readonly fd: number;
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  write(data: ArrayBufferView): void {
    const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < u8.length) done += writeSync(this.fd, u8, done, u8.length - done);
    this.bytes += u8.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
