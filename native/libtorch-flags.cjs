#!/usr/bin/env node
// Compiler and linker flags of the libtorch the binding builds against, for binding.gyp and
// scripts/device-check.sh. Usage: node native/libtorch-flags.cjs include|cflags|libraries|root
//
// LIBTORCH unset: Debian's libtorch-dev (headers under /usr/include, libraries on the default path).
// LIBTORCH set: a libtorch folder (include/, lib/, share/cmake/), a PyTorch install's `torch` folder,
// or its CMake prefix (`python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'`, i.e.
// torch/share/cmake). Headers, libraries, an rpath to the libraries and the C++ ABI flag of that
// build come from there; its CUDA libraries, when present, are linked even though the binding calls
// none of their symbols directly (their registration makes libtorch see the GPUs).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const DEBIAN = {
  include: ["/usr/include/torch/csrc/api/include"],
  cflags: [],
  libraries: ["-ltorch", "-ltorch_cpu", "-lc10", "-ldl"],
  root: "/usr",
};

function libDirOf(root) {
  for (const d of ["lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"]) {
    const dir = path.join(root, d);
    if (fs.existsSync(path.join(dir, "libtorch.so")) || fs.existsSync(path.join(dir, "libtorch_cpu.so")))
      return dir;
  }
  return null;
}

/** The folder holding include/torch/csrc/api/include and a lib/ with libtorch, searched from `p` upwards (two levels). */
function findRoot(p) {
  let dir = path.resolve(p);
  for (let up = 0; up < 3; up++) {
    if (fs.existsSync(path.join(dir, "include/torch/csrc/api/include/torch/torch.h")) && libDirOf(dir))
      return dir;
    dir = path.dirname(dir);
  }
  return null;
}

/** -D_GLIBCXX_USE_CXX11_ABI=0|1 as recorded in the build's TorchConfig.cmake (pre-2.7 pip wheels use 0). */
function abiFlag(root, lib) {
  for (const f of [
    path.join(root, "share/cmake/Torch/TorchConfig.cmake"),
    path.join(lib, "cmake/Torch/TorchConfig.cmake"),
  ]) {
    if (!fs.existsSync(f)) continue;
    const m = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(fs.readFileSync(f, "utf8"));
    if (m) return [`-D_GLIBCXX_USE_CXX11_ABI=${m[1]}`];
  }
  return [];
}

function flags() {
  const spec = process.env.LIBTORCH;
  if (!spec) return DEBIAN;
  const root = findRoot(spec);
  if (!root) {
    process.stderr.write(
      `LIBTORCH=${spec}: no libtorch there (looked for include/torch/csrc/api/include/torch/torch.h and lib/libtorch.so ` +
        `in it and two folders up); give a libtorch folder, a PyTorch 'torch' folder or torch.utils.cmake_prefix_path\n`,
    );
    process.exit(1);
  }
  const lib = libDirOf(root);
  const cuda = fs.existsSync(path.join(lib, "libtorch_cuda.so"));
  const c10cuda = fs.existsSync(path.join(lib, "libc10_cuda.so"));
  return {
    include: [path.join(root, "include"), path.join(root, "include/torch/csrc/api/include")],
    cflags: abiFlag(root, lib),
    libraries: [
      `-L${lib}`,
      `-Wl,-rpath,${lib}`,
      ...(cuda
        ? ["-Wl,--no-as-needed", "-ltorch_cuda", ...(c10cuda ? ["-lc10_cuda"] : []), "-Wl,--as-needed"]
        : []),
      "-ltorch",
      "-ltorch_cpu",
      "-lc10",
      "-ldl",
    ],
    root,
  };
}

const what = process.argv[2];
const f = flags();
if (!(what in f)) {
  process.stderr.write("usage: node native/libtorch-flags.cjs include|cflags|libraries|root\n");
  process.exit(2);
}
const v = f[what];
process.stdout.write((Array.isArray(v) ? v.join(" ") : v) + "\n");
