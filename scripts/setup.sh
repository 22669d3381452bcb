#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages, npm packages, the libtorch binding, the build.
# Idempotent: re-running skips what is already there. Needs root (or sudo) for apt-get.
# Another libtorch (2.x, CUDA): LIBTORCH=<libtorch folder | PyTorch's torch folder or cmake prefix path>
# bash scripts/setup.sh, or LIBTORCH=python (the torch of `python3`; PYTHON=... names another
# interpreter); Debian's libtorch-dev is then not installed. See README "GPUs and other libtorch builds".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${LIBTORCH:-}" = python ]; then
  LIBTORCH=$("${PYTHON:-python3}" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  echo "setup: LIBTORCH=$LIBTORCH (the torch of ${PYTHON:-python3})"
fi
export LIBTORCH="${LIBTORCH:-}"

APT_PACKAGES=(
  g++ make python3 pkg-config
  libtorch-dev libopenblas-dev   # training engine (libtorch through the N-API binding in native/)
  libgloo-dev                    # gloo headers for data-parallel training (c10d ProcessGroupGloo, native/xlir_dist.cc)
  sentencepiece                  # spm_train: the subword vocabulary of the built-in experiment
  apertium apertium-eu-en        # offline Basque->English MT baseline
  chromium                       # headless rendering check of the HTML report
  dpkg-dev xz-utils unzip ca-certificates   # data build: dpkg-deb, Firefox language packs (zip)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  [ -n "$LIBTORCH" ] && [ "$p" = libtorch-dev ] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# TypeScript compiles beside the native build (each mostly one core), and node-gyp compiles the
# binding's translation units in parallel
echo "setup: compiling TypeScript"
tsc_log=$(mktemp)
npx tsc -p tsconfig.json >"$tsc_log" 2>&1 &
tsc_pid=$!

# the binding: rebuilt when a source changed or the libtorch it was built against is not the one asked for
built_for=$(cat native/build/libtorch 2>/dev/null || true)  # none recorded: the Debian build of earlier set-ups
if [ ! -f native/build/Release/xlir_torch.node ] || [ "$built_for" != "$LIBTORCH" ] ||
  [ -n "$(find native -maxdepth 1 \( -name '*.cc' -o -name '*.h' -o -name '*.cjs' -o -name binding.gyp \) -newer native/build/Release/xlir_torch.node)" ]; then
  echo "setup: building the libtorch binding (native/) against ${LIBTORCH:-the Debian libtorch}"
  npx node-gyp rebuild --directory native --jobs max --loglevel=warn >/dev/null
  printf '%s' "$LIBTORCH" > native/build/libtorch
fi

if ! wait "$tsc_pid"; then
  cat "$tsc_log" >&2
  rm -f "$tsc_log"
  echo "setup: TypeScript did not compile" >&2
  exit 1
fi
rm -f "$tsc_log"
echo "setup: done"
