/**
 * The checksummed files the students read (src/train/sealed-file.ts): the teacher's English token
 * vectors round-trip exactly, and a truncated, altered, foreign or missing file is refused by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { readTokenVectorsFile, serializeTokenVectors } from "../../src/train/encode-cache.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-sealed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(file: string): XlirError {
  try {
    readTokenVectorsFile(file);
  } catch (e) {
    return e as XlirError;
  }
  throw new Error(`${file} was read`);
}

describe("token-vector files", () => {
  const tv = {
    dim: 3,
    offsets: Int32Array.of(0, 2, 3),
    vectors: Float32Array.from({ length: 9 }, (_, i) => i / 7),
  };
  const bytes = serializeTokenVectors(tv);

  it("round-trip exactly", () => {
    const file = join(dir, "ok.tv");
    writeFileSync(file, bytes);
    const back = readTokenVectorsFile(file);
    expect(back.dim).toBe(3);
    expect([...back.offsets]).toEqual([0, 2, 3]);
    expect([...back.vectors]).toEqual([...tv.vectors]);
  });

  it("a truncated, altered or foreign file is CORRUPT, a missing one NOT_FOUND, each named", () => {
    const altered = Buffer.from(bytes);
    altered[20] ^= 0x40;
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ["cut.tv", bytes.subarray(0, bytes.length - 3), "CORRUPT", /checksum mismatch/],
      ["altered.tv", altered, "CORRUPT", /checksum mismatch/],
      ["other.tv", Buffer.concat([Buffer.from("NOTXLIR!"), bytes.subarray(8)]), "CORRUPT", /bad magic/],
    ];
    for (const [name, buf, code, why] of cases) {
      writeFileSync(join(dir, name), buf);
      const e = refusal(join(dir, name));
      expect(e).toBeInstanceOf(XlirError);
      expect(e.code).toBe(code);
      expect(e.message).toContain(`${join(dir, name)}: not a token-vector file written by xlir`);
      expect(e.message).toMatch(why);
    }
    const missing = refusal(join(dir, "absent.tv"));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toMatch(/absent\.tv: cannot read token vectors \(ENOENT\)/);
  });
});
