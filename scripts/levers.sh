#!/usr/bin/env bash
# The lever study of issue 17 on the dev split only: `xlir dev` once per configuration in levers/
# (each a change to the default recipe; baseline.json is the default itself), then one table.
# usage: bash scripts/levers.sh [lever ...]      env: OUT (runs/levers), SEEDS (13)
# Stages a lever does not change (data, tokenizer, teacher, its English encodings, the dev index) are
# linked from the baseline's folder; a lever that changes one of them (no-cap changes the bitext, so
# the tokenizer and the teacher) sees a different input hash, removes the link and builds its own.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-runs/levers}"
seeds="${SEEDS:-13}"
levers=("$@")
[ ${#levers[@]} -eq 0 ] && levers=(baseline no-cap ot-idf-marginals ot-anchor contrastive-symmetric batch-128)
run() {
  local lever="$1"
  if [ "$lever" != baseline ] && [ -d "$out/baseline/stages" ]; then
    mkdir -p "$out/$lever/stages"
    for s in data tokenizer teacher teacher-english index-help; do
      [ -e "$out/$lever/stages/$s" ] || ln -s "$(cd "$out/baseline/stages" && pwd)/$s" "$out/$lever/stages/$s"
    done
  fi
  ./bin/xlir dev --config "levers/$lever.json" --seeds "$seeds" --out "$out/$lever" --label "$lever"
}
for lever in "${levers[@]}"; do run "$lever"; done
node --import tsx scripts/lever-table.ts "$out" > "$out/levers.md"
cat "$out/levers.md"
