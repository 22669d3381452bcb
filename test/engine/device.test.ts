/**
 * The engine's device: CPU by default, malformed names refused (USAGE), CUDA where libtorch finds
 * none refused with UNSUPPORTED (exit 7) naming what it found; toArray copies to the host. Where a
 * GPU is usable (the device check, scripts/device-check.sh), the same values, gradients, seeded
 * weights and AdamW updates on CUDA as on the CPU.
 */
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "./torch-skip.js";
import {
  AdamW,
  cudaInfo,
  getDevice,
  linear,
  manualSeed,
  randn,
  setDevice,
  synchronize,
  tensor,
  tidy,
  withDevice,
  type Tensor,
} from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";

const HAS_CUDA = !NO_TORCH && cudaInfo().available && cudaInfo().deviceCount > 0;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(NO_TORCH)(torchSuite("engine device"), () => {
  it("is the CPU unless XLIR_DEVICE says otherwise; tensors report their device and copy to the host", () => {
    expect(getDevice()).toBe(process.env.XLIR_DEVICE ? setDevice(process.env.XLIR_DEVICE) : "cpu");
    tidy(() => {
      const t = tensor([1, 2, 3], [3]);
      expect(t.device).toBe(getDevice());
      expect([...t.toArray()]).toEqual([1, 2, 3]);
      expect(t.toDevice("cpu").device).toBe("cpu");
    });
  });

  it("refuses malformed names (USAGE) and names what libtorch found when CUDA cannot be used (UNSUPPORTED, exit 7)", () => {
    const prev = getDevice();
    for (const bad of ["gpu", "cuda:", "cuda:x", "CPU", "cuda:0:1"]) {
      expect(() => setDevice(bad), bad).toThrow(/is not a device/);
    }
    const c = cudaInfo();
    const missing = c.available ? `cuda:${c.deviceCount}` : "cuda";
    let err: unknown = null;
    try {
      setDevice(missing, "--device");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).exitCode).toBe(7);
    expect((err as XlirError).message).toContain(`--device '${missing}'`);
    expect((err as XlirError).message).toContain(
      `torch::cuda::is_available() = ${c.available}, ${c.deviceCount} CUDA device(s)`,
    );
    expect(getDevice()).toBe(prev); // a refused device leaves the current one
    synchronize(); // a no-op on the CPU, a wait on CUDA: never throws
  });

  it.skipIf(!HAS_CUDA)(
    "CUDA: same values, gradients and seeded weights as the CPU; AdamW (fused -> foreach) as on the CPU",
    () => {
      const run = (
        device: string,
      ): { y: Float32Array; gw: Float32Array; w0: Float32Array; w5: Float32Array } =>
        withDevice(device, () =>
          tidy(() => {
            manualSeed(7);
            const w = randn([16, 32]).requireGrad();
            const b = randn([16]).requireGrad();
            expect(w.device).toBe(device === "cuda" ? "cuda:0" : "cpu");
            const w0 = w.toFloat32();
            const x = tensor(
              Float32Array.from({ length: 4 * 32 }, (_, i) => Math.sin(i)),
              [4, 32],
            );
            const y = linear(x, w, b).tanh();
            y.sum().backward();
            const out = { y: y.toFloat32(), gw: w.grad!.toFloat32(), w0 };
            const opt = new AdamW([
              { params: [w], lr: 0.01, weightDecay: 0.1 },
              { params: [b], lr: 0.02, weightDecay: 0 },
            ]);
            for (let s = 0; s < 5; s++) {
              opt.zeroGrad();
              tidy(() => linear(x, w, b).pow(2).mean().backward());
              opt.step();
            }
            expect(opt.getState()[0]!.step).toBe(5);
            const w5 = w.toFloat32();
            opt.free();
            for (const t of [w, b] as Tensor[]) t.free();
            return { ...out, w5 };
          }),
        );
      const cpu = run("cpu");
      const gpu = run("cuda");
      expect(maxDiff(gpu.w0, cpu.w0)).toBe(0); // drawn on the CPU generator, then moved
      expect(maxDiff(gpu.y, cpu.y)).toBeLessThan(1e-5);
      expect(maxDiff(gpu.gw, cpu.gw)).toBeLessThan(1e-5);
      expect(maxDiff(gpu.w5, cpu.w5)).toBeLessThan(1e-5);
      expect(maxDiff(gpu.w5, cpu.w0)).toBeGreaterThan(1e-3);
    },
  );
});
