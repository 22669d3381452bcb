#!/usr/bin/env bash
# Produces test/golden/eval/: inputs from eval_make_data.py, then trec_eval's outputs for every case.
# Usage: TREC_EVAL=/tmp/trec_eval/trec_eval bash scripts/dev/eval-make-goldens.sh
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
  # trec_eval's default output (no -m: "official") and every measure (-m all_trec), with and without -q
  "full_default_summary||run_full.txt"
  "full_all_trec|-q -m all_trec|run_full.txt"
  "full_all_trec_summary|-m all_trec|run_full.txt"
  "main_c_default|-c -q|run_main.txt"
  "main_c_all_trec|-c -q -m all_trec|run_main.txt"
  "main_c_all_trec_summary|-c -m all_trec|run_main.txt"
  "main_c_all_trec_l2_M20|-c -q -l 2 -M 20 -m all_trec|run_main.txt"
  "main_c_all_trec_l0|-c -q -l 0 -m all_trec|run_main.txt"
  # edge cases: grades above 9, negative grades, queries judged only negative / only non-relevant,
  # ties, one-document and all-unjudged rankings, a judged query missing from the run
  "edge_c_all_trec|-c -q -m all_trec|run_edge.txt|qrels_edge.txt"
  "edge_c_default|-c -q|run_edge.txt|qrels_edge.txt"
  "edge_full_all_trec|-q -m all_trec|run_edge_full.txt|qrels_edge.txt"
  "edge_full_default|-q|run_edge_full.txt|qrels_edge.txt"
  "edge_c_all_trec_l3_M5|-c -q -l 3 -M 5 -m all_trec|run_edge.txt|qrels_edge.txt"
  "edge_c_ndcg_gains|-c -q -m ndcg.1=3.5,2=0.2|run_edge.txt|qrels_edge.txt"
  # (with ndcg.1=3.5,2=0.2 in the next list trec_eval 10.0 crashes: setup_gains reads the stale level
  #  count of the query judged only with negative grades)
  "edge_c_params|-c -q -m dcg -m ideal_dcg -m yaap -m G.0=1,12=2 -m Rndcg.1=2 -m ndcg_rel.3=1 -m rbp.p=0.5 -m rbp_resid.p=0.8 -m utility.2,-1,1,0.5 -m set_F.0.5 -m iprec_at_recall.0.25,0.5,1 -m 11pt_avg.0.2,0.5,0.8 -m Rprec_mult.0.5,3 -m relstring.20 -m unj.1,2,50 -m map_cut.2,4 -m relative_P.3,30|run_edge.txt|qrels_edge.txt"
  # trec_eval stops: a judged query (e8) has no results and -c is not given (exit status 4)
  "edge_missing_no_c|-q|run_edge.txt|qrels_edge.txt"
)
json="["
readme="$out/README.md"
{
  echo "# trec_eval goldens"
  echo
  echo "Inputs: \`python3 scripts/dev/eval_make_data.py test/golden/eval\`."
  echo "Outputs: \`$("$te" -v 2>&1 | head -1)\`, usnistgov/trec_eval commit $te_commit (the 10.0 release commit,"
  echo "its Makefile still says 10.0-rc3), built with its own Makefile (gcc, \`make\`). Produced by"
  echo "\`TREC_EVAL=... bash scripts/dev/eval-make-goldens.sh\`. Command lines (run inside test/golden/eval):"
  echo
} > "$readme"
first=1
for c in "${cases[@]}"; do
  IFS='|' read -r name flags run qrels <<< "$c"
  qrels="${qrels:-qrels.txt}"
  rc=0
  (cd "$out" && $te $flags "$qrels" "$run" > "out/$name.txt" 2> /dev/null) || rc=$?
  echo "- \`trec_eval $flags $qrels $run > out/$name.txt\` (exit status $rc)" >> "$readme"
  [ $first -eq 1 ] || json+=","
  first=0
  json+="{\"name\":\"$name\",\"flags\":\"$flags\",\"qrels\":\"$qrels\",\"run\":\"$run\",\"output\":\"out/$name.txt\",\"exit\":$rc}"
done
json+="]"
echo "$json" | python3 -m json.tool > "$out/cases.json"
cat >> "$readme" <<'TXT'

A case with exit status 4 (edge_missing_no_c) is trec_eval refusing a judged query without results
when -c is not given; xlir must stop with the same exit status. Not run through trec_eval (it refuses
these inputs; xlir's behaviour is unit-tested instead): a 0-byte run ("Cannot read results file"),
duplicate documents in a query ("duplicate docs"), a grade beyond 32 bits (exit 4 or out of memory).
TXT
echo "wrote $(ls "$out/out" | wc -l) golden outputs to $out/out"
