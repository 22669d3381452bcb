/**
 * native/libtorch-flags.cjs, which binding.gyp and scripts/device-check.sh ask for the headers,
 * libraries, rpath and C++ ABI of the libtorch to build against: Debian's without LIBTORCH; a
 * libtorch / PyTorch layout (found from its folder or its CMake prefix) with LIBTORCH.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = new URL("../../native/libtorch-flags.cjs", import.meta.url).pathname;
const flags = (what: string, libtorch?: string): string =>
  execFileSync(process.execPath, [SCRIPT, what], {
    env: { ...process.env, LIBTORCH: libtorch ?? "" },
    encoding: "utf8",
  }).trim();

/** A PyTorch-wheel-like torch/ folder: headers, lib/ with CUDA libraries, share/cmake with the ABI flag. */
function fakeTorch(abi: 0 | 1, cuda: boolean): string {
  const root = join(mkdtempSync(join(tmpdir(), "xlir-libtorch-")), "torch");
  mkdirSync(join(root, "include/torch/csrc/api/include/torch"), { recursive: true });
  writeFileSync(join(root, "include/torch/csrc/api/include/torch/torch.h"), "");
  mkdirSync(join(root, "lib"));
  for (const l of [
    "libtorch.so",
    "libtorch_cpu.so",
    "libc10.so",
    ...(cuda ? ["libtorch_cuda.so", "libc10_cuda.so"] : []),
  ]) {
    writeFileSync(join(root, "lib", l), "");
  }
  mkdirSync(join(root, "share/cmake/Torch"), { recursive: true });
  writeFileSync(
    join(root, "share/cmake/Torch/TorchConfig.cmake"),
    `set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=${abi}")\n`,
  );
  return root;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(join(d, ".."), { recursive: true, force: true });
});

describe("native/libtorch-flags.cjs", () => {
  it("without LIBTORCH: Debian's libtorch-dev, exactly the flags the binding always used", () => {
    expect(flags("include")).toBe("/usr/include/torch/csrc/api/include");
    expect(flags("libraries")).toBe("-ltorch -ltorch_cpu -lc10 -ldl");
    expect(flags("cflags")).toBe("");
  });

  it("a PyTorch install with CUDA, from its cmake prefix path: headers, rpath, CUDA libraries kept, its ABI", () => {
    const root = fakeTorch(0, true);
    made.push(root);
    for (const spec of [root, join(root, "share/cmake")]) {
      expect(flags("root", spec)).toBe(root);
      expect(flags("include", spec)).toBe(`${root}/include ${root}/include/torch/csrc/api/include`);
      expect(flags("cflags", spec)).toBe("-D_GLIBCXX_USE_CXX11_ABI=0");
      expect(flags("libraries", spec)).toBe(
        `-L${root}/lib -Wl,-rpath,${root}/lib -Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed -ltorch -ltorch_cpu -lc10 -ldl`,
      );
    }
  });

  it("a CPU-only libtorch links no CUDA library; a folder without libtorch is refused with what was looked for", () => {
    const root = fakeTorch(1, false);
    made.push(root);
    expect(flags("libraries", root)).toBe(
      `-L${root}/lib -Wl,-rpath,${root}/lib -ltorch -ltorch_cpu -lc10 -ldl`,
    );
    expect(flags("cflags", root)).toBe("-D_GLIBCXX_USE_CXX11_ABI=1");
    const r = spawnSync(process.execPath, [SCRIPT, "include"], {
      env: { ...process.env, LIBTORCH: join(root, "include") + "/nothing/here/at/all" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /no libtorch there \(looked for include\/torch\/csrc\/api\/include\/torch\/torch\.h and lib\/libtorch\.so/,
    );
  });
});
