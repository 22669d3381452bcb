#!/usr/bin/python3
"""Exact inner-product search with faiss IndexFlatIP on vectors dumped by
`xlir bench search --parts single --dump DIR` (docs.f32, queries.f32, meta.json), one batched run,
top-k ids checked against xlir's, time ratio printed. Reference only (Debian python3-faiss)."""
import json
import sys
import time

import faiss
import numpy as np

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
n, nq, dim, k = meta["n"], meta["nq"], meta["dim"], meta["k"]
xb = np.fromfile(f"{d}/docs.f32", dtype=np.float32).reshape(n, dim)
xq = np.fromfile(f"{d}/queries.f32", dtype=np.float32).reshape(nq, dim)
index = faiss.IndexFlatIP(dim)
index.add(xb)
index.search(xq[:1], k)  # warm-up
t = time.perf_counter()
D, I = index.search(xq, k)
secs = time.perf_counter() - t
ours = np.array(meta["exactIds"])
agree = float(np.mean([len(set(a) & set(b)) / k for a, b in zip(I.tolist(), ours.tolist())]))
print(json.dumps({
    "faiss_version": faiss.__version__, "numpy_version": np.__version__, "threads": faiss.omp_get_max_threads(),
    "n": n, "nq": nq, "dim": dim, "k": k,
    "faiss_seconds": secs, "xlir_seconds": meta["xlirExactSeconds"],
    "ratio_xlir_over_faiss": meta["xlirExactSeconds"] / secs, "topk_agreement": agree,
}, indent=2))
