/**
 * ONNX Runtime on a device: `cuda` uses the CUDA execution provider where onnxruntime-node's CUDA
 * binaries and a GPU are present; elsewhere the session runs on the CPU and one message says why.
 * Either way the vectors equal the CPU's (1e-4; CUDA kernels round differently).
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { OnnxEncoder } from "../../src/models/onnx-encoder.js";
import { cudaIndex, setOnnxProviderReporter } from "../../src/models/onnx-device.js";

const FIX = path.join(__dirname, "../fixtures");
const TEXTS = ["a small test sentence", "another one, a little longer than the first"];

describe("ONNX Runtime execution provider", () => {
  it("parses device names (cpu -> null, cuda -> 0, cuda:N -> N) and refuses others", () => {
    expect([cudaIndex("cpu"), cudaIndex("cuda"), cudaIndex("cuda:2")]).toEqual([null, 0, 2]);
    for (const bad of ["gpu", "cuda:", "CUDA"]) expect(() => cudaIndex(bad), bad).toThrow(/is not a device/);
  });

  it("cuda: the CUDA provider or a clean fall-back to the CPU with one message, the same vectors as cpu", async () => {
    const messages: string[] = [];
    setOnnxProviderReporter((m) => messages.push(m));
    const cpu = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-bert"), { device: "cpu" });
    expect(messages).toEqual([]); // the CPU says nothing
    const gpu = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-bert"), { device: "cuda" });
    const again = await OnnxEncoder.fromFolder(path.join(FIX, "tiny-bert"), { device: "cuda" });
    expect(messages).toHaveLength(1); // said once per process
    expect(messages[0]).toMatch(
      /runs on the CUDA execution provider \(cuda:0\)|CUDA execution provider is not (installed|usable \(.+\)); running on the CPU provider/,
    );
    const a = await cpu.encodeTokens(TEXTS, "query");
    const b = await gpu.encodeTokens(TEXTS, "query");
    expect([...b.offsets]).toEqual([...a.offsets]);
    let worst = 0;
    for (let i = 0; i < a.vectors.length; i++) worst = Math.max(worst, Math.abs(a.vectors[i] - b.vectors[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(again.dim).toBe(gpu.dim);
  });
});
