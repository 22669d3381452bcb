#!/usr/bin/python3
"""Golden values for xlir's typed-array OT solvers, computed with POT (Debian python3-pot 0.8).

Run: /usr/bin/python3 scripts/dev/ot_goldens.py  (writes test/golden/ot/pot_goldens.json)

Problems are not stored: each is regenerated from its seed by src/ot/random.ts
(randomOtProblem), whose xorshift32 generator this script reproduces bit for bit; a checksum
(sum of a, b and the cost, left to right) is stored to prove it. Plans are stored compactly:
Sinkhorn plans as POT's final dual potentials (log domain: log u, log v with
P = exp(-M/reg + log u_i + log v_j); plain: u, v with P = u_i exp(-M/reg) v_j), EMD plans as
their non-zero entries. Costs are <P, M> computed by numpy.
"""
import json
import math
import sys
import warnings

import numpy as np
import ot

MASK = 0xFFFFFFFF


class XorShift32:
    def __init__(self, seed):
        self.x = ((seed & MASK) * 0x9E3779B1 + 1) & MASK
        if self.x == 0:
            self.x = 1
        for _ in range(8):
            self.next_uint32()

    def next_uint32(self):
        x = self.x
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        self.x = x
        return x

    def next(self):
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def int(self, lo, hi):
        return lo + math.floor(self.next() * (hi - lo + 1))


def problem(seed, max_size=64):
    rng = XorShift32(seed)
    m = rng.int(1, max_size)
    n = rng.int(1, max_size)
    d = rng.int(2, 8)

    def weights(k):
        w = [0.05 + rng.next() for _ in range(k)]
        s = 0.0
        for x in w:
            s += x
        return [x / s for x in w]

    a = weights(m)
    b = weights(n)
    x = [rng.next() for _ in range(m * d)]
    y = [rng.next() for _ in range(n * d)]
    cost = []
    for i in range(m):
        for j in range(n):
            s = 0.0
            for k in range(d):
                diff = x[i * d + k] - y[j * d + k]
                s += diff * diff
            cost.append(s)
    checksum = 0.0
    for v in a + b + cost:
        checksum += v
    return m, n, np.array(a), np.array(b), np.array(cost).reshape(m, n), checksum


EPSILONS = [1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]


def full(x):
    return [float(v) for v in np.asarray(x).ravel()]


def sinkhorn_case(a, b, M, reg, method, num_iter, stop):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        P, log = ot.sinkhorn(a, b, M, reg, method=method, numItermax=num_iter, stopThr=stop, log=True)
    niter = int(log["niter"])
    errs = log["err"]
    # POT appends err at every 10th iteration before testing it; a numerical-error break happens
    # before the append, so "converged" = the last recorded err is the one of iteration niter and is < stop.
    converged = bool(niter % 10 == 0 and len(errs) == niter // 10 + 1 and float(errs[-1]) < stop)
    if method == "sinkhorn_log":
        potentials = {"u": full(log["log_u"]), "v": full(log["log_v"])}
        iterations = niter + 1
    else:
        potentials = {"u": full(log["u"]), "v": full(log["v"])}
        # a numerical-error break at iteration niter keeps the previous (u, v): niter completed updates
        reverted = not converged and niter < num_iter - 1 and not (niter % 10 == 0 and len(errs) == niter // 10 + 1 and float(errs[-1]) < stop)
        iterations = niter if reverted else niter + 1
    return {"cost": float(np.sum(M * P)), "iterations": iterations, "converged": converged, **potentials}


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "test/golden/ot/pot_goldens.json"
    cases = []
    sel = XorShift32(20260101)
    for idx in range(220):
        seed = 1000 + idx
        m, n, a, b, M, checksum = problem(seed)
        reg = EPSILONS[sel.int(0, len(EPSILONS) - 1)]
        # every 5th problem gets a short iteration budget so that non-convergence is exercised
        num_iter = 30 if idx % 5 == 4 else 1000
        stop = [1e-9, 1e-6][sel.int(0, 1)]
        case = {"seed": seed, "m": m, "n": n, "checksum": checksum, "epsilon": reg, "maxIterations": num_iter, "tolerance": stop}
        case["log"] = sinkhorn_case(a, b, M, reg, "sinkhorn_log", num_iter, stop)
        case["plain"] = sinkhorn_case(a, b, M, reg, "sinkhorn", num_iter, stop)
        G = ot.emd(a, b, M)
        nz = np.nonzero(G)
        case["emd"] = {"cost": float(np.sum(G * M)), "i": [int(v) for v in nz[0]], "j": [int(v) for v in nz[1]], "value": full(G[nz])}
        if idx % 4 == 0:
            reg_m = [0.1, 1.0, 10.0][sel.int(0, 2)]
            ureg = max(reg, 0.05)  # POT's plain-domain unbalanced solver underflows below this
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                P, log = ot.unbalanced.sinkhorn_unbalanced(a, b, M, ureg, reg_m, numItermax=1000, stopThr=1e-9, log=True)
            errs = log["err"]
            case["unbalanced"] = {"epsilon": ureg, "marginalRelaxation": reg_m, "cost": float(np.sum(P * M)),
                                  "iterations": len(errs), "converged": bool(float(errs[-1]) < 1e-9),
                                  "logu": full(log["logu"]), "logv": full(log["logv"])}
        cases.append(case)
    meta = {"generator": "scripts/dev/ot_goldens.py", "pot": ot.__version__, "numpy": np.__version__,
            "python": sys.version.split()[0], "problems": "regenerate with src/ot/random.ts randomOtProblem(seed)"}
    with open(out_path, "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
