/**
 * Files that end in the sha256 of everything before it (the teacher's English token vectors, the
 * students' inputs): a truncated or altered file is refused, never half-read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { XlirError } from "../errors.js";

/** `body` followed by its sha256 (write the result with writeFileAtomic). */
export function sealBytes(body: Buffer): Buffer {
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

/**
 * The body of sealed bytes, after checking the magic, the size and the checksum.
 * @param what what the file holds, for errors ("a token-vector file")
 */
export function openSealed(buf: Buffer, magic: Buffer, minBody: number, file: string, what: string): Buffer {
  if (buf.length < minBody + 32 || !buf.subarray(0, magic.length).equals(magic))
    throw corrupt(file, what, "bad magic or too short");
  const body = buf.subarray(0, buf.length - 32);
  if (
    !createHash("sha256")
      .update(body)
      .digest()
      .equals(buf.subarray(buf.length - 32))
  )
    throw corrupt(file, what, "checksum mismatch: truncated or altered");
  return body;
}

/** The CORRUPT error of a sealed file whose contents do not hold together. */
export function corrupt(file: string, what: string, why: string): XlirError {
  return new XlirError("CORRUPT", `${file}: not ${what} written by xlir (${why}); delete it to recompute`);
}

/** The bytes of `file`; a missing or unreadable file is NOT_FOUND, naming it and what it should hold. */
export function readNamedFile(file: string, holds: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new XlirError(
      "NOT_FOUND",
      `${file}: cannot read ${holds} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}
