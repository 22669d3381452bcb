#!/usr/bin/env bash
# The lever study of issue 17 on the dev split only: `xlir dev` once per configuration in levers/
# (each a change to the default recipe; baseline.json is the default itself), then one table.
# usage: bash scripts/levers.sh [lever ...]      env: OUT (runs/levers), SEEDS (13), REFERENCE (baseline)
# Stages a lever does not change (data, tokenizer, teacher, its English encodings, the dev index,
# the student inputs) are linked from the reference's folder; a lever that changes one of them
# (no-cap changes the bitext, so the tokenizer and the teacher) sees a different input hash, removes
# the link and builds its own. The table gives each lever's difference from REFERENCE; the second
# round (levers on top of the full profile) is
#   REFERENCE=full-1x bash scripts/levers.sh full-1x full-steps-2x contrastive-clustered
# and the third (a multilingual start, the learning rates) on top of the profile as it stands:
#   REFERENCE=full-steps-2x bash scripts/levers.sh full-mlm full-adapt full-lr-2x
# and the fourth and fifth (code-switching; a third learning rate for each loss) on top of `full`
# (the full profile, then with OT at 1e-3):
#   REFERENCE=full bash scripts/levers.sh full full-code-switch full-lr-third
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-runs/levers}"
seeds="${SEEDS:-13}"
reference="${REFERENCE:-baseline}"
levers=("$@")
[ ${#levers[@]} -eq 0 ] && levers=(baseline no-cap ot-idf-marginals ot-anchor contrastive-symmetric batch-128)
run() {
  local lever="$1"
  if [ "$lever" != "$reference" ] && [ -d "$out/$reference/stages" ]; then
    mkdir -p "$out/$lever/stages"
    for s in data tokenizer teacher teacher-english index-help student-inputs; do
      [ -e "$out/$reference/stages/$s" ] || continue
      [ -e "$out/$lever/stages/$s" ] || ln -s "$(cd "$out/$reference/stages/$s" && pwd -P)" "$out/$lever/stages/$s"
    done
  fi
  ./bin/xlir dev --config "levers/$lever.json" --seeds "$seeds" --out "$out/$lever" --label "$lever"
}
for lever in "${levers[@]}"; do run "$lever"; done
table="$out/levers.md"
[ "$reference" != baseline ] && table="$out/levers-$reference.md"
node --import tsx scripts/lever-table.ts "$out" "$reference" "${levers[@]}" > "$table"
cat "$table"
