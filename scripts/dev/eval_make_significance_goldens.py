#!/usr/bin/python3
"""Goldens for xlir's significance tests: scipy.stats.ttest_rel p-values and exact (fully enumerated)
paired randomisation p-values. Run with Debian's python (python3-scipy, python3-numpy):
    /usr/bin/python3 scripts/dev/eval_make_significance_goldens.py test/golden/eval/significance.json
"""
import itertools
import json
import sys

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(7)
cases = []
for name, n, shift, scale in [("small_shift", 12, 0.03, 0.1), ("no_shift", 15, 0.0, 0.2), ("big_shift", 10, 0.2, 0.05),
                               ("many_queries", 200, 0.01, 0.15), ("two_pairs", 2, 0.1, 0.3), ("ties_and_zeros", 14, 0.0, 0.0)]:
    a = np.round(rng.uniform(0, 1, n), 4)
    b = np.clip(np.round(a - shift + rng.normal(0, scale, n), 4), 0, 1)
    if name == "ties_and_zeros":
        b = a.copy()
        b[:5] = np.round(b[:5] - 0.1, 4)
        b[5:8] = np.round(b[5:8] + 0.1, 4)
    t, p = stats.ttest_rel(a, b)
    case = {"name": name, "a": a.tolist(), "b": b.tolist(), "t": float(t), "p": float(p)}
    if n <= 16:  # exact randomisation p by enumerating all 2^n sign vectors
        d = a - b
        obs = abs(d.sum())
        hits = sum(1 for s in itertools.product([1, -1], repeat=n) if abs((d * np.array(s)).sum()) >= obs - 1e-12 * max(1, obs))
        case["p_randomization_exact"] = hits / 2 ** n
    cases.append(case)

out = {"scipy": scipy.__version__, "numpy": np.__version__, "python": sys.version.split()[0], "cases": cases}
with open(sys.argv[1] if len(sys.argv) > 1 else "test/golden/eval/significance.json", "w") as f:
    json.dump(out, f, indent=1)
print("scipy", scipy.__version__, "cases", len(cases))
