#!/usr/bin/env python3
"""PyTorch 1.13 twin of `xlir bench train` (src/train/bench.ts): the same random BERT-layout encoder
with a ColBERT head (linear to dim, L2-normalised tokens), dropout 0.1 in train mode, loss =
MSE(token vectors, fixed random target), AdamW lr 1e-4 with weight decay 0.01 except biases and
LayerNorm, one fixed random batch; forward + backward + step timed per step.

Tries several thread settings and prints one JSON object with every setting and the best (lowest
median). A setting is TxB[p]: T torch intra-op threads, B OpenBLAS threads, p = OMP_WAIT_POLICY=PASSIVE
(else ACTIVE). Each setting runs in its own subprocess, since libgomp reads the policy when it loads.

Run: /usr/bin/python3 scripts/dev/torch_bench_train.py --layers 2 --hidden 256 --heads 4 --ffn 1024 \
       --seq 32 --batch 16 --vocab 8000 --steps 20 [--settings 1x2,1x1,2x1] [--device cuda]
With --device cuda the model and batch live on the GPU, each step ends with torch.cuda.synchronize()
and AdamW takes PyTorch's default for CUDA tensors (foreach); run by scripts/device-check.sh.
"""
import argparse
import ctypes
import json
import math
import os
import subprocess
import sys
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, H, nh, I, p):
        super().__init__()
        self.nh, self.p = nh, p
        self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        self.attn_out, self.attn_ln = nn.Linear(H, H), nn.LayerNorm(H, eps=1e-12)
        self.inter, self.out, self.out_ln = nn.Linear(H, I), nn.Linear(I, H), nn.LayerNorm(H, eps=1e-12)

    def forward(self, x, bias):
        B, L, H = x.shape
        hd = H // self.nh
        split = lambda t: t.view(B, L, self.nh, hd).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        a = torch.softmax(q @ k.transpose(2, 3) * (1 / math.sqrt(hd)) + bias, dim=-1)
        a = F.dropout(a, self.p, self.training)
        ctx = (a @ v).transpose(1, 2).reshape(B, L, H)
        x1 = self.attn_ln(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        h = F.gelu(self.inter(x1))
        return self.out_ln(F.dropout(self.out(h), self.p, self.training) + x1)


class Encoder(nn.Module):
    def __init__(self, V, H, nh, I, layers, dim, p=0.1, maxpos=512):
        super().__init__()
        self.p = p
        self.word, self.pos, self.typ = nn.Embedding(V, H), nn.Embedding(maxpos, H), nn.Embedding(2, H)
        self.ln = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList([Layer(H, nh, I, p) for _ in range(layers)])
        self.head = nn.Linear(H, dim)
        for m in self.modules():  # HF init
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0, 0.02)
            if isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, ids, mask):
        B, L = ids.shape
        pos = torch.arange(L, device=ids.device).unsqueeze(0)
        x = self.word(ids) + self.pos(pos) + self.typ.weight[0:1]
        x = F.dropout(self.ln(x), self.p, self.training)
        bias = (1.0 - mask.float())[:, None, None, :] * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        return F.normalize(self.head(x), dim=-1) * mask.unsqueeze(-1).float()


def run(a, torch_threads, blas_threads):
    torch.set_num_threads(torch_threads)
    try:  # Debian's PyTorch runs on OpenBLAS; pip wheels (MKL) do not ship it
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(blas_threads)
    except OSError:
        blas_threads = None
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    model = Encoder(a.vocab, a.hidden, a.heads, a.ffn, a.layers, a.dim).train().to(dev)
    no_decay = lambda n: n.endswith("bias") or "ln" in n
    groups = [
        {"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=1e-4)
    ids = torch.randint(1, a.vocab, (a.batch, a.seq)).to(dev)
    mask = torch.ones(a.batch, a.seq, dtype=torch.long).to(dev)
    target = torch.randn(a.batch, a.seq, a.dim).to(dev)

    def step():
        loss = F.mse_loss(model(ids, mask), target)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()

    for _ in range(a.warmup):
        step()
    times, cpu = [], []
    for _ in range(a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    s = sorted(times)
    return {
        "device": str(dev),
        "torch_threads": torch_threads,
        "blas_threads": blas_threads,
        "step_ms_median": round(statistics.median(times), 2),
        "step_ms_p90": round(s[min(len(s) - 1, math.ceil(0.9 * len(s)) - 1)], 2),
        "step_ms_min": round(s[0], 2),
        "cpu_ms_median": round(statistics.median(cpu), 2),
        "params": sum(p.numel() for p in model.parameters()),
    }


KEYS = ("layers", "hidden", "heads", "ffn", "seq", "batch", "vocab", "steps", "warmup", "dim")


def main():
    ap = argparse.ArgumentParser()
    for k, v in dict(layers=2, hidden=256, heads=4, ffn=1024, seq=32, batch=16, vocab=8000, steps=20, warmup=3, dim=128).items():
        ap.add_argument(f"--{k}", type=int, default=v)
    ap.add_argument("--settings", default="1x2,1x1,2x1,2x1p,2x2p", help="TxB[p] (torch x OpenBLAS threads, p: passive OpenMP), comma separated")
    ap.add_argument("--device", default="cpu", help="cpu or cuda[:N]")
    ap.add_argument("--one", action="store_true", help="internal: run the single setting in --settings here")
    a = ap.parse_args()
    if a.one:
        s = a.settings
        t, b = (int(x) for x in s.rstrip("p").split("x"))
        r = run(a, t, b)
        r["setting"], r["omp_wait_policy"] = s, os.environ.get("OMP_WAIT_POLICY")
        print(json.dumps(r))
        return
    results = []
    for s in a.settings.split(","):
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE" if s.endswith("p") else "ACTIVE")
        argv = [sys.executable, os.path.abspath(__file__), "--one", "--settings", s] + [f"--{k}={getattr(a, k)}" for k in KEYS] + [f"--device={a.device}"]
        results.append(json.loads(subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout))
    best = min(results, key=lambda r: r["step_ms_median"])
    cfg = {k: getattr(a, k) for k in KEYS}
    print(json.dumps({"backend": "pytorch", "torch_version": torch.__version__, "device": a.device, "config": cfg, "best": best, "settings": results}))


if __name__ == "__main__":
    main()
