/**
 * Dev helper for scripts/dev/make_tiny_models.py: writes a safetensors file with xlir's writer so
 * the python side can read it back with torch. Values: x[i] = sin(i) * 10^(i % 7 - 3), i < 60,
 * stored as F32, F16 and BF16 with shape [3, 4, 5].
 * Usage: npx tsx scripts/dev/hf-xlir-write.ts OUT.safetensors
 */
import { writeSafetensors } from "../../src/models/safetensors-write.js";

export function xlirWriteValues(): Float32Array {
  return Float32Array.from({ length: 60 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
}

export async function writeCheckFile(out: string): Promise<void> {
  const data = xlirWriteValues();
  await writeSafetensors(
    out,
    new Map([
      ["x.f32", { dtype: "F32" as const, shape: [3, 4, 5], data }],
      ["x.f16", { dtype: "F16" as const, shape: [3, 4, 5], data }],
      ["x.bf16", { dtype: "BF16" as const, shape: [3, 4, 5], data }],
    ]),
    { writer: "xlir" },
  );
}

if (process.argv[1] && process.argv[1].endsWith("hf-xlir-write.ts")) {
  await writeCheckFile(process.argv[2] ?? "xlir.safetensors");
}
