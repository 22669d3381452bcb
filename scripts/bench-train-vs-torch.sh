#!/usr/bin/env bash
# Training-step speed of xlir's libtorch engine vs PyTorch 1.13 on this machine, in one go.
# Same model, batch, loss and optimizer (src/train/bench.ts and scripts/dev/torch_bench_train.py).
# Every thread setting in SETTINGS runs on both sides: TxB[p] = T torch intra-op threads, B OpenBLAS
# threads, p = OMP_WAIT_POLICY=PASSIVE (without p: ACTIVE, libgomp's spinning default),
# ROUNDS times, alternating; per side and setting the median over rounds is kept. Reported:
# best-vs-best wall-time ratio (the headline), per-setting wall and CPU-time ratios (CPU time,
# user+system of all threads, is less disturbed by other load on a shared machine).
# Usage: bash scripts/bench-train-vs-torch.sh [extra bench args, e.g. --steps 30]
# Env: XLIR (command, default ./bin/xlir), ROUNDS (default 2), SETTINGS (default 1x2,1x1,2x1,2x1p,2x2p).
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=(--layers 2 --hidden 256 --heads 4 --ffn 1024 --seq 32 --batch 16 --vocab 8000 --steps 20 "$@")
ROUNDS="${ROUNDS:-2}"
SETTINGS="${SETTINGS:-1x2,1x1,2x1,2x1p,2x2p}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  /usr/bin/python3 scripts/dev/torch_bench_train.py "${ARGS[@]}" --settings "$SETTINGS" > "$out/torch.$r.json"
  for s in ${SETTINGS//,/ }; do
    n="${s%p}"
    policy=ACTIVE; [ "$n" != "$s" ] && policy=PASSIVE
    OMP_WAIT_POLICY=$policy ${XLIR:-./bin/xlir} bench train "${ARGS[@]}" --threads "${n%x*}" --blas-threads "${n#*x}" --json > "$out/xlir.$r.$s.json"
  done
done
node -e '
const fs = require("fs"); const [dir, n, settings] = process.argv.slice(1);
const med = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rounds = [...Array(Number(n)).keys()].map((i) => i + 1);
const torch = rounds.map((r) => JSON.parse(fs.readFileSync(`${dir}/torch.${r}.json`)));
const per = settings.split(",").map((s) => {
  const tr = torch.map((j) => j.settings.find((x) => x.setting === s));
  const xr = rounds.map((r) => JSON.parse(fs.readFileSync(`${dir}/xlir.${r}.${s}.json`)));
  const tw = med(tr.map((x) => x.step_ms_median)), xw = med(xr.map((x) => x.step_ms_median));
  const tc = med(tr.map((x) => x.cpu_ms_median)), xc = med(xr.map((x) => x.cpu_ms_median));
  return { setting: s, xlir_ms: xw, pytorch_ms: tw, wall_ratio: +(xw / tw).toFixed(3), xlir_cpu_ms: xc, pytorch_cpu_ms: tc, cpu_ratio: +(xc / tc).toFixed(3),
    xlir_rounds: xr.map((x) => x.step_ms_median), pytorch_rounds: tr.map((x) => x.step_ms_median), gflop_per_step: xr[0].gflop_per_step, peak: xr[0].peak_gflops, config: xr[0].config };
});
const bx = per.reduce((a, b) => (b.xlir_ms < a.xlir_ms ? b : a)), bt = per.reduce((a, b) => (b.pytorch_ms < a.pytorch_ms ? b : a));
const g = bx.gflop_per_step / (bx.xlir_ms / 1000);
console.log(JSON.stringify({ config: bx.config, rounds: Number(n),
  xlir_best: { setting: bx.setting, step_ms: bx.xlir_ms, gflops: +g.toFixed(2), peak_fraction: +(g / bx.peak).toFixed(3) },
  pytorch_best: { setting: bt.setting, step_ms: bt.pytorch_ms },
  ratio_xlir_over_pytorch: +(bx.xlir_ms / bt.pytorch_ms).toFixed(3),
  per_setting: per.map(({ config, gflop_per_step, peak, ...rest }) => rest) }, null, 1));
' "$out" "$ROUNDS" "$SETTINGS"
