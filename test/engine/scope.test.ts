/**
 * Memory scopes (tidy / keep / noGrad), error mapping of libtorch exceptions, and the single clear
 * NATIVE_MISSING error when the addon is absent.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "./torch-skip.js";
import { keep, liveTensors, noGrad, ones, tensor, tidy, zeros, type Tensor } from "../../src/engine/index.js";

describe("binding missing", () => {
  it("throws one XlirError NATIVE_MISSING naming the fix, and isTorchAvailable() is false", () => {
    const script =
      'import("./src/engine/index.ts").then((m) => { console.log(m.isTorchAvailable()); try { m.zeros([1]); } catch (e) { console.log(e.name, e.code, e.message); } })';
    const out = execFileSync("npx", ["tsx", "-e", script], {
      env: { ...process.env, XLIR_TORCH_ADDON: "/nonexistent/xlir_torch.node" },
      encoding: "utf8",
    });
    expect(out).toContain("false");
    expect(out).toContain(
      "XlirError NATIVE_MISSING the libtorch binding is not built: run `apt-get install libtorch-dev` and `npm run build:native`",
    );
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe.skipIf(NO_TORCH)(torchSuite("memory scopes"), () => {
  it("tidy frees everything created inside except the returned tensors, which move to the outer scope", () => {
    const base = liveTensors();
    let kept: Tensor | null = null;
    const outer = tidy(() => {
      const inner = tidy(() => {
        const a = ones([2, 2]);
        const b = a.add(1);
        const c = b.mul(3);
        return { c, list: [b] };
      });
      expect(liveTensors()).toBe(base + 2); // a freed, b and c alive
      kept = keep(inner.c.sum());
      return inner.c.add(inner.list[0]);
    });
    expect(outer.toFloat32()).toEqual(new Float32Array([8, 8, 8, 8]));
    expect(liveTensors()).toBe(base + 2); // outer result + kept
    expect(kept!.item()).toBe(24);
    outer.free();
    kept!.free();
    expect(liveTensors()).toBe(base);
    expect(() => outer.add(1)).toThrow(/freed/);
  });

  it("an exception inside tidy frees the scope and carries libtorch's message without a C++ backtrace", () => {
    const base = liveTensors();
    let msg = "";
    try {
      tidy(() => zeros([2, 3]).matmul(zeros([2, 3])));
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
    expect(msg).not.toMatch(/frame #|Exception raised from/);
    expect(liveTensors()).toBe(base);
  });

  it("noGrad builds no graph and restores the mode; grads accumulate across backward calls", () => {
    const w = tensor([1, 2, 3], [3]).requireGrad();
    tidy(() => {
      expect(noGrad(() => w.mul(2).requiresGrad)).toBe(false);
      expect(w.mul(2).requiresGrad).toBe(true);
      w.mul(w).sum().backward();
      w.mul(w).sum().backward();
      expect(w.grad!.toFloat32()).toEqual(new Float32Array([4, 8, 12])); // 2 * 2w
      w.zeroGrad();
      expect(w.grad).toBeNull();
    });
    w.free();
  });

  it("dtype conversions: int32 ids become int64, bools come back as 0/1 bytes", () => {
    tidy(() => {
      const ids = tensor(new Int32Array([3, 1, 2]), [3], "int64");
      expect(ids.dtype).toBe("int64");
      expect(ids.toArray()).toEqual(new BigInt64Array([3n, 1n, 2n]));
      expect(ids.gt(1).toArray()).toEqual(new Uint8Array([1, 0, 1]));
      expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(/6 elements, array has 5/);
    });
  });
});
