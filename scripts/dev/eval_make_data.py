#!/usr/bin/env python3
"""Deterministic TREC qrels/runs for xlir's trec_eval golden tests (standard library only).

Writes into the folder given as argv[1] (default test/golden/eval):
  qrels.txt        graded judgements 0..3, a few negative grades (judged "unjudged"), a query with no
                   relevant document, comment lines, tabs, a CRLF line
  run_main.txt     ties in scores (scores rounded), judged queries missing from the run, run queries
                   missing from the qrels, short lists (k beyond the list), long lists (> 1000 docs for one
                   query), exponent notation, unjudged documents, comment and blank lines
  run_full.txt     every judged query present (trec_eval 10.0 without -c requires that)
  run_interleaved.txt run_full's lines shuffled (queries not grouped)
  run_disjoint.txt only queries that have no judgements (an empty run as far as the qrels go)
"""
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "test/golden/eval"
os.makedirs(out, exist_ok=True)
rng = random.Random(20231)

NQ = 30
qids = [str(q) for q in range(1, NQ + 1)]          # "1".."30": byte order differs from numeric order
docs = [f"D{d:04d}" for d in range(600)] + ["d-lower", "ZZZ", "a.b-c", "D0001x"]

qrels_lines = ["# xlir golden qrels (scripts/dev/eval_make_data.py)\n"]
judged = {}
for qi, q in enumerate(qids):
    pool = rng.sample(docs, rng.randint(8, 60))
    judged[q] = {}
    for j, d in enumerate(pool):
        if q == "7":
            g = 0                                          # no relevant document at all
        elif q == "12" and j < 2:
            g = -1                                         # judged but "unjudged in pool"
        else:
            g = rng.choices([0, 1, 2, 3], weights=[55, 25, 12, 8])[0]
        judged[q][d] = g
        sep = "\t" if (qi + j) % 5 == 0 else " "
        end = "\r\n" if (q == "3" and j == 0) else "\n"
        qrels_lines.append(f"{q}{sep}0{sep}{d}{sep}{g}{end}")
with open(os.path.join(out, "qrels.txt"), "w", newline="") as f:
    f.writelines(qrels_lines)


def score_text(s, i):
    if i % 17 == 3:
        return f"{s:.3e}"
    return f"{s:.1f}" if i % 3 == 0 else f"{s:.4f}"


def make_run(path, queries, tag, long_q=None):
    lines = ["# xlir golden run\n"]
    for q in queries:
        j = judged.get(q, {})
        n = rng.choice([1, 3, 7, 12, 25, 60, 150]) if q != long_q else 1100
        cand = list(j.keys())
        rng.shuffle(cand)
        chosen = cand[: max(1, min(len(cand), n // 2))]
        rest = [d for d in docs if d not in j]
        rng.shuffle(rest)
        chosen += rest[: n - len(chosen)] if n > len(chosen) else []
        extra = 0
        while len(chosen) < n:                              # long list: synthesise more docnos
            chosen.append(f"X{q}-{extra:05d}")
            extra += 1
        for i, d in enumerate(chosen):
            base = rng.random() * 10 - 2
            if i % 4 == 1:
                base = round(base)                          # many exact ties
            if j.get(d, 0) > 0 and rng.random() < 0.5:
                base += 3                                   # relevant documents tend to rank higher
            sep = "\t" if i % 7 == 0 else " "
            lines.append(f"{q}{sep}Q0{sep}{d}{sep}{i + 1}{sep}{score_text(base, i)}{sep}{tag}\n")
        if q == "5":
            lines.append("\n")
            lines.append("   # indented comment\n")
    with open(path, "w") as f:
        f.writelines(lines)


missing = {"4", "19", "27"}                                 # judged queries absent from run_main
unjudged = ["101", "200", "31"]                             # run queries without judgements
main_q = [q for q in qids if q not in missing] + unjudged
rng.shuffle(main_q)
make_run(os.path.join(out, "run_main.txt"), main_q, "main", long_q="9")
make_run(os.path.join(out, "run_full.txt"), qids + ["31"], "full")
make_run(os.path.join(out, "run_disjoint.txt"), unjudged, "disjoint")
with open(os.path.join(out, "run_full.txt")) as f:
    body = [l for l in f if not l.startswith("#")]
rng.shuffle(body)                                           # queries interleaved (not grouped by qid)
with open(os.path.join(out, "run_interleaved.txt"), "w") as f:
    f.writelines(body)
print(f"wrote {out}/qrels.txt run_main.txt run_full.txt run_interleaved.txt run_disjoint.txt")

# Edge cases (own generator, so the files above stay byte-identical):
#   qrels_edge.txt  grades 0..12 (relstring prints '>' above 9), negative grades (infAP's sampled-out
#                   documents), a query judged only with negative grades, one judged only non-relevant,
#                   one with a single relevant document, a judged query absent from run_edge (for -c)
#   run_edge.txt    many exact score ties, a one-document query, a query whose every document is unjudged
#   run_edge_full.txt every judged query present (for runs without -c)
erng = random.Random(777)
edocs = [f"E{d:03d}" for d in range(80)]
eq = ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]
ejudged = {}
lines = []
for q in eq:
    pool = erng.sample(edocs, 25)
    ejudged[q] = {}
    for j, d in enumerate(pool):
        if q == "e3":
            g = erng.choice([-1, -2])                      # only negative grades
        elif q == "e4":
            g = 0                                          # only non-relevant
        elif q == "e5":
            g = 1 if j == 0 else 0                         # a single relevant document
        else:
            g = erng.choice([0, 0, 0, 1, 1, 2, 3, 5, 12, -1])
        ejudged[q][d] = g
        lines.append(f"{q} 0 {d} {g}\n")
with open(os.path.join(out, "qrels_edge.txt"), "w") as f:
    f.writelines(lines)


def edge_run(path, queries, tag):
    rl = []
    for q in queries:
        j = list(ejudged[q])
        if q == "e6":
            chosen = [j[0]]                                # one document
        elif q == "e7":
            chosen = [d for d in edocs if d not in ejudged[q]][:12]   # nothing judged
        else:
            chosen = erng.sample(j, 15) + erng.sample([d for d in edocs if d not in ejudged[q]], 10)
        for i, d in enumerate(chosen):
            s = erng.choice([1.0, 2.0, 3.0]) if i % 2 else round(erng.random() * 4, 2)
            rl.append(f"{q} Q0 {d} {i + 1} {s} {tag}\n")
    with open(path, "w") as f:
        f.writelines(rl)


edge_run(os.path.join(out, "run_edge.txt"), [q for q in eq if q != "e8"], "edge")
edge_run(os.path.join(out, "run_edge_full.txt"), eq, "edgefull")
print(f"wrote {out}/qrels_edge.txt run_edge.txt run_edge_full.txt")
