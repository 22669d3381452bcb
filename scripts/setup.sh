#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system packages, npm packages, the libtorch binding, the build.
# Idempotent: re-running skips what is already there. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

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

if [ ! -f native/build/Release/xlir_torch.node ] || [ -n "$(find native -maxdepth 1 \( -name '*.cc' -o -name '*.h' -o -name binding.gyp \) -newer native/build/Release/xlir_torch.node)" ]; then
  echo "setup: building the libtorch binding (native/)"
  npx node-gyp rebuild --directory native --loglevel=warn >/dev/null
fi

echo "setup: compiling TypeScript"
npx tsc -p tsconfig.json
echo "setup: done"
