#!/usr/bin/env bash
# Times `xlir evaluate` against trec_eval on the same synthetic files (queries x docs per query) with
# the same measures (every family xlir implements, default cut-offs) and -q, checks that both outputs
# are byte-identical, and prints the ratio trec_eval / xlir (> 1 means xlir is faster).
# Usage: TREC_EVAL=/tmp/trec_eval/trec_eval bash scripts/bench-evaluate-vs-trec-eval.sh [QUERIES] [DOCS]
# trec_eval is built by hand outside the project (see test/golden/eval/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
te="${TREC_EVAL:?set TREC_EVAL to a trec_eval binary}"
queries="${1:-10000}"
docs="${2:-1000}"
xlir="${XLIR:-$here/bin/xlir}"
dir="$(mktemp -d /tmp/xlir-bench-eval-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
"$xlir" bench evaluate --queries "$queries" --docs "$docs" --repeat 1 --dir "$dir" --json > "$dir/bench.json"
M="-m num_q -m num_ret -m num_rel -m num_rel_ret -m map -m Rprec -m bpref -m recip_rank -m P -m recall -m ndcg_cut -m success"
clock() { # prints "wall user+sys" seconds of a command, its stdout to $1
  local out="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/env time -f "%U %S" -o "$dir/time.txt" "$@" > "$out"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.3f\n", b - a, $1 + $2 }' "$dir/time.txt"
}
read -r te_wall te_cpu < <(clock "$dir/trec_eval.txt" "$te" -q $M "$dir/qrels.txt" "$dir/run.txt")
read -r x_wall x_cpu < <(clock "$dir/xlir.txt" "$xlir" evaluate -q $M "$dir/qrels.txt" "$dir/run.txt")
if cmp -s "$dir/trec_eval.txt" "$dir/xlir.txt"; then same=true; else same=false; fi
lines=$(wc -l < "$dir/run.txt")
awk -v q="$queries" -v d="$docs" -v l="$lines" -v tw="$te_wall" -v tc="$te_cpu" -v xw="$x_wall" -v xc="$x_cpu" -v s="$same" -v te="$te" \
  'BEGIN { printf "{\"queries\": %d, \"docsPerQuery\": %d, \"runLines\": %d, \"trec_eval\": \"%s\", \"trecEvalWallSeconds\": %.3f, \"trecEvalCpuSeconds\": %.3f, \"xlirWallSeconds\": %.3f, \"xlirCpuSeconds\": %.3f, \"ratioWall\": %.3f, \"ratioCpu\": %.3f, \"identicalOutput\": %s}\n", q, d, l, te, tw, tc, xw, xc, tw / xw, tc / xc, s }'
