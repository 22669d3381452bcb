#!/usr/bin/env bash
# Produces test/golden/eval/: inputs from eval_make_data.py, then trec_eval's outputs for every case.
# Usage: TREC_EVAL=/tmp/trec_eval/trec_eval bash scripts/dev/eval_make_goldens.sh
# trec_eval is built by hand outside the project (its code never enters it):
#   fetch github:usnistgov/trec_eval, `git archive HEAD | tar -x -C /tmp/trec_eval`, `make` there.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
out="$here/test/golden/eval"
te="${TREC_EVAL:?set TREC_EVAL to the trec_eval binary}"
te_commit="${TREC_EVAL_COMMIT:-unknown}"
python3 "$here/scripts/dev/eval_make_data.py" "$out"
mkdir -p "$out/out"
rm -f "$out/out/"*.txt
ALL="-m num_q -m num_ret -m num_rel -m num_rel_ret -m map -m Rprec -m bpref -m recip_rank -m P -m recall -m ndcg_cut -m success"
# name | trec_eval flags | run file
cases=(
  "main_c_all|-c -q $ALL|run_main.txt"
  "main_c_M10|-c -q -M 10 $ALL|run_main.txt"
  "main_c_M3|-c -q -M 3 $ALL|run_main.txt"
  "main_c_l2|-c -q -l 2 $ALL|run_main.txt"
  "main_c_l0|-c -q -l 0 $ALL|run_main.txt"
  "main_c_cutoffs|-c -q -m P.1,3,50,2000 -m recall.1,3,2000 -m ndcg_cut.1,3,7,1200 -m success.2,7|run_main.txt"
  "main_c_mrr10|-c -q -M 10 -m recip_rank|run_main.txt"
  "main_c_first_params|-c -q -m P.5 -m P.10 -m ndcg_cut.3|run_main.txt"
  "main_c_summary|-c $ALL|run_main.txt"
  "full_all|-q $ALL|run_full.txt"
  "full_l2_M50|-q -l 2 -M 50 $ALL|run_full.txt"
  "full_default|-q|run_full.txt"
  "interleaved_all|-q $ALL|run_interleaved.txt"
  "disjoint_c|-c -q $ALL|run_disjoint.txt"
)
json="["
readme="$out/README.md"
{
  echo "# trec_eval goldens"
  echo
  echo "Inputs: \`python3 scripts/dev/eval_make_data.py test/golden/eval\`."
  echo "Outputs: \`$("$te" -v 2>&1 | head -1)\`, usnistgov/trec_eval commit $te_commit (the 10.0 release commit,"
  echo "its Makefile still says 10.0-rc3), built with its own Makefile (gcc, \`make\`). Produced by"
  echo "\`TREC_EVAL=... bash scripts/dev/eval_make_goldens.sh\`. Command lines (run inside test/golden/eval):"
  echo
} > "$readme"
first=1
for c in "${cases[@]}"; do
  IFS='|' read -r name flags run <<< "$c"
  (cd "$out" && $te $flags qrels.txt "$run" > "out/$name.txt")
  echo "- \`trec_eval $flags qrels.txt $run > out/$name.txt\`" >> "$readme"
  [ $first -eq 1 ] || json+=","
  first=0
  json+="{\"name\":\"$name\",\"flags\":\"$flags\",\"qrels\":\"qrels.txt\",\"run\":\"$run\",\"output\":\"out/$name.txt\"}"
done
json+="]"
echo "$json" | python3 -m json.tool > "$out/cases.json"
cat >> "$readme" <<'TXT'

Not run through trec_eval (it refuses these inputs; xlir's behaviour is unit-tested instead):
a 0-byte run ("Cannot read results file"), a judged query missing from the run without -c
("result qid not found"), duplicate documents in a query ("duplicate docs").
TXT
echo "wrote $(ls "$out/out" | wc -l) golden outputs to $out/out"
