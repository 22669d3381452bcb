#!/usr/bin/env bash
# Exact single-vector search: xlir (ONNX Runtime GEMM + TopK) vs faiss IndexFlatIP on the same
# 100,000 x 128 vectors and 1,000 queries (one batched run each). Needs Debian python3-faiss
# (apt-get install python3-faiss). Usage: scripts/bench-search-vs-faiss.sh [VECTORS] [QUERIES]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-100000}"
nq="${2:-1000}"
dir="$(mktemp -d /tmp/xlir-faiss-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
if ! /usr/bin/python3 -c "import faiss" 2>/dev/null; then
  echo "python3-faiss is not installed: apt-get install python3-faiss" >&2
  exit 8
fi
xlir="${XLIR:-$here/bin/xlir}"
$xlir bench search --parts single --vectors "$n" --dim 128 --queries "$nq" --clustered --exact-only --dump "$dir" --json > "$dir/xlir.json"
/usr/bin/python3 "$here/scripts/dev/faiss_flatip.py" "$dir"
