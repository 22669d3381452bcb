#!/usr/bin/env python3
"""PyTorch reference for xlir's contrastive distillation loss (src/losses/contrastive.ts).

Writes test/golden/losses/contrastive.json: random float64 student and teacher token matrices with
padding, and for several option sets the loss value and its gradient w.r.t. the student tokens, as
written in the loss's doc comment (METHOD.md):
  late:   S_ij = (1/|f_i|) sum_{q real} max_{t real} <F_iq, E_jt>
  pooled: S_ij = <pool(F_i)/||.||, pool(E_j)/||.||>   (mean pooling over real tokens)
  L = CE(S / tau, diag) (row i's duplicates of e_i masked out), symmetric: (L + L over columns) / 2.
Run: /usr/bin/python3 scripts/dev/loss_goldens.py   (Debian python3-torch; never a runtime dependency)
"""
import json
import os

import torch

torch.manual_seed(7)
B, M, N, D = 4, 5, 6, 8
student = torch.randn(B, M, D, dtype=torch.float64)
teacher = torch.randn(B, N, D, dtype=torch.float64)
slen = [5, 3, 1, 4]
tlen = [2, 6, 4, 1]
ms = torch.zeros(B, M, dtype=torch.float64)
mt = torch.zeros(B, N, dtype=torch.float64)
for i in range(B):
    ms[i, : slen[i]] = 1
    mt[i, : tlen[i]] = 1
english_ids = [0, 1, 0, 2]


def scores(f, e, score):
    if score == "pooled":
        q = (f * ms.unsqueeze(2)).sum(1) / ms.sum(1, keepdim=True)
        k = (e * mt.unsqueeze(2)).sum(1) / mt.sum(1, keepdim=True)
        q = q / q.norm(dim=1, keepdim=True)
        k = k / k.norm(dim=1, keepdim=True)
        return q @ k.T
    s = torch.zeros(B, B, dtype=torch.float64)
    rows = []
    for i in range(B):
        row = []
        for j in range(B):
            fi = f[i, : slen[i]]
            ej = e[j, : tlen[j]]
            row.append((fi @ ej.T).max(dim=1).values.mean())
        rows.append(torch.stack(row))
    return torch.stack(rows)


def loss(f, opts):
    s = scores(f, teacher, opts["score"]) / opts["temperature"]
    if opts["dedupe"]:
        dup = torch.tensor(
            [[i != j and english_ids[i] == english_ids[j] for j in range(B)] for i in range(B)]
        )
        s = s.masked_fill(dup, -1e9)
    target = torch.arange(B)
    out = torch.nn.functional.cross_entropy(s, target)
    if opts["symmetric"]:
        out = (out + torch.nn.functional.cross_entropy(s.T, target)) / 2
    return out


cases = []
for opts in [
    {"score": "late", "temperature": 0.05, "symmetric": False, "dedupe": False},
    {"score": "late", "temperature": 0.1, "symmetric": True, "dedupe": True},
    {"score": "pooled", "temperature": 0.2, "symmetric": False, "dedupe": True},
]:
    f = student.clone().requires_grad_(True)
    value = loss(f, opts)
    value.backward()
    cases.append({"options": opts, "value": value.item(), "grad": f.grad.flatten().tolist()})

out = {
    "reference": f"torch {torch.__version__}, scripts/dev/loss_goldens.py",
    "shape": {"B": B, "m": M, "n": N, "d": D},
    "student": student.flatten().tolist(),
    "teacher": teacher.flatten().tolist(),
    "studentMask": ms.flatten().tolist(),
    "teacherMask": mt.flatten().tolist(),
    "englishIds": english_ids,
    "cases": cases,
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "losses", "contrastive.json")
with open(path, "w") as fh:
    json.dump(out, fh)
print(path)
