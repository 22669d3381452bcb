import { createHash } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XlirError } from "../../src/errors.js";
import { f16ToF32, f32ToBf16, f32ToF16 } from "../../src/util/float16.js";
import { parseSafetensors, readSafetensors } from "../../src/models/safetensors.js";
import { serializeSafetensors, writeSafetensors } from "../../src/models/safetensors-write.js";
import { writeCheckFile, xlirWriteValues } from "../../scripts/dev/hf-xlir-write.js";

const GOLD = path.join(__dirname, "../golden/models");
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "xlir-st-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Builds a safetensors buffer with an arbitrary (possibly lying) header. */
function rawFile(header: Record<string, unknown>, dataBytes: number): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const b = Buffer.alloc(8 + h.length + dataBytes);
  b.writeBigUInt64LE(BigInt(h.length), 0);
  h.copy(b, 8);
  return b;
}

function expectError(fn: () => unknown, code: string, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(XlirError);
    expect((e as XlirError).code).toBe(code);
    expect((e as Error).message).toMatch(re);
    return;
  }
  throw new Error("expected an error");
}

describe("safetensors: files written by PyTorch (scripts/dev/make_tiny_models.py)", () => {
  const golden = JSON.parse(readFileSync(path.join(GOLD, "torch_written.json"), "utf8")) as {
    data_start: number;
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
  };
  it("the golden really has a data start that is not 4-byte aligned", () => {
    expect(golden.data_start % 4).not.toBe(0);
  });
  it("reads every dtype with exactly the values torch holds (tolerance 0: all values are float32-exact)", async () => {
    const { tensors, metadata } = await readSafetensors(path.join(GOLD, "torch_written.safetensors"));
    expect(metadata).toEqual(golden.metadata);
    expect([...tensors.keys()].sort()).toEqual(Object.keys(golden.tensors).sort());
    for (const [name, g] of Object.entries(golden.tensors)) {
      const t = tensors.get(name)!;
      expect(t.dtype).toBe(g.dtype);
      expect(t.shape).toEqual(g.shape);
      expect(Array.from(t.data)).toEqual(g.values);
    }
  });
});

describe("safetensors: files written by xlir, read by PyTorch", () => {
  it("the writer's bytes are those torch read bit-exactly when the golden was made", async () => {
    const check = JSON.parse(readFileSync(path.join(GOLD, "xlir_written_check.json"), "utf8")) as {
      sha256: string;
      tensors: Record<string, { bit_exact: boolean; max_abs_diff: number }>;
    };
    for (const t of Object.values(check.tensors)) {
      expect(t.bit_exact).toBe(true);
      expect(t.max_abs_diff).toBe(0);
    }
    const f = path.join(tmp, "check.safetensors");
    await writeCheckFile(f);
    expect(
      createHash("sha256")
        .update(await fs.readFile(f))
        .digest("hex"),
    ).toBe(check.sha256);
  });
});

describe("safetensors: conversions and round trips", () => {
  it("f16 <-> f32 is exact for every finite half value", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaN
      expect(f32ToF16(f16ToF32(h))).toBe(h);
    }
  });
  it("f16/bf16 rounding: nearest even, overflow, subnormals", () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // rounds up to inf
    expect(f32ToF16(2 ** -24)).toBe(1); // smallest subnormal
    expect(f32ToF16(2 ** -25)).toBe(0); // tie -> even (0)
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(f32ToF16(-0)).toBe(0x8000);
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });
  it("write -> read round trip: F32 exact, F16/BF16 equal to the rounded values", async () => {
    const data = xlirWriteValues();
    const f = path.join(tmp, "rt.safetensors");
    await writeSafetensors(
      f,
      new Map([
        ["a", { shape: [6, 10], data }],
        ["b", { dtype: "F16" as const, shape: [60], data }],
        ["c", { dtype: "BF16" as const, shape: [2, 30], data }],
      ]),
      { k: "v" },
    );
    const { tensors, metadata } = await readSafetensors(f);
    expect(metadata).toEqual({ k: "v" });
    expect(Array.from(tensors.get("a")!.data)).toEqual(Array.from(data));
    expect(Array.from(tensors.get("b")!.data)).toEqual(Array.from(data, (v) => f16ToF32(f32ToF16(v))));
    const bf = new Float32Array(new Uint32Array(Array.from(data, (v) => f32ToBf16(v) << 16)).buffer);
    expect(Array.from(tensors.get("c")!.data)).toEqual(Array.from(bf));
    expect(tensors.get("c")!.shape).toEqual([2, 30]);
    const left = (await fs.readdir(tmp)).filter((n) => n.includes(".tmp-"));
    expect(left).toEqual([]); // atomic write left no temp file
  });
  it("reads from a buffer at an odd byte offset (misaligned F32 data)", () => {
    const bytes = serializeSafetensors(
      new Map([["x", { shape: [3], data: Float32Array.of(1.5, -2, 3.25) }]]),
    );
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    const { tensors } = parseSafetensors(shifted.subarray(1));
    expect(Array.from(tensors.get("x")!.data)).toEqual([1.5, -2, 3.25]);
  });
});

describe("safetensors: header validation", () => {
  it("a header that lies about a tensor's size", () => {
    const b = rawFile({ w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } }, 20);
    expectError(
      () => parseSafetensors(b, "m.safetensors"),
      "CORRUPT",
      /m\.safetensors: tensor 'w' \(F32 \[2,3\]\): expected 24 bytes, header says 20/,
    );
  });
  it("offsets past the end, overlap, gap, uncovered tail", () => {
    expectError(
      () => parseSafetensors(rawFile({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4)),
      "CORRUPT",
      /run past the end/,
    );
    expectError(
      () =>
        parseSafetensors(
          rawFile(
            {
              a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
              b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
            },
            12,
          ),
        ),
      "CORRUPT",
      /overlap/,
    );
    expectError(
      () => parseSafetensors(rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8)),
      "CORRUPT",
      /gap of 4 bytes/,
    );
    expectError(
      () => parseSafetensors(rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, 8)),
      "CORRUPT",
      /cover 4 bytes but the data buffer has 8/,
    );
  });
  it("truncated file, absurd header length, invalid JSON, unknown dtype, bad shape", () => {
    expectError(() => parseSafetensors(Buffer.alloc(5)), "CORRUPT", /too short/);
    const big = Buffer.alloc(16);
    big.writeBigUInt64LE(1000n, 0);
    expectError(() => parseSafetensors(big), "CORRUPT", /runs past the end of the file/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(2n ** 62n, 0);
    expectError(() => parseSafetensors(huge), "CORRUPT", /not sane/);
    const bad = Buffer.concat([Buffer.alloc(8), Buffer.from("{not json")]);
    bad.writeBigUInt64LE(9n, 0);
    expectError(() => parseSafetensors(bad), "CORRUPT", /not valid JSON/);
    expectError(
      () => parseSafetensors(rawFile({ a: { dtype: "Q4", shape: [1], data_offsets: [0, 1] } }, 1)),
      "UNSUPPORTED",
      /dtype "Q4"/,
    );
    expectError(
      () => parseSafetensors(rawFile({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4)),
      "CORRUPT",
      /shape/,
    );
  });
  it("a missing file is NOT_FOUND", async () => {
    await expect(readSafetensors(path.join(tmp, "nope.safetensors"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
