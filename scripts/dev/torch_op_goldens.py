#!/usr/bin/env python3
"""Golden values for every op of the libtorch binding, computed with PyTorch (python3-torch 1.13).

For each case: inputs (seeded), the op's output, and the gradient of sum(output * W) with respect to
each floating input (W a fixed random tensor shaped like the output). Values in float64 unless the
case name ends in `_f32`. The op names and arguments here mirror test/engine/ops.test.ts exactly.

Run: /usr/bin/python3 scripts/dev/torch_op_goldens.py   (writes test/golden/engine/ops.json)
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
D = torch.float64


def r(*shape, dtype=D, positive=False):
    t = torch.randn(*shape, dtype=torch.float64)
    if positive:
        t = t.abs() + 0.5
    return t.to(dtype)


def idx(hi, *shape):
    return torch.randint(0, hi, shape, dtype=torch.int64)


# name -> (inputs, fn). Inputs that are floating point get gradients.
CASES = {
    "neg": ([r(3, 4)], lambda a: -a),
    "exp": ([r(3, 4)], torch.exp),
    "log": ([r(3, 4, positive=True)], torch.log),
    "sqrt": ([r(3, 4, positive=True)], torch.sqrt),
    "rsqrt": ([r(3, 4, positive=True)], torch.rsqrt),
    "tanh": ([r(3, 4)], torch.tanh),
    "sigmoid": ([r(3, 4)], torch.sigmoid),
    "relu": ([r(3, 4)], torch.relu),
    "abs": ([r(3, 4)], torch.abs),
    "erf": ([r(3, 4)], torch.erf),
    "gelu": ([r(3, 4)], lambda a: F.gelu(a)),
    "gelu_tanh": ([r(3, 4)], lambda a: F.gelu(a, approximate="tanh")),
    "gelu_f32": ([r(3, 4, dtype=torch.float32)], lambda a: F.gelu(a)),
    "add": ([r(3, 4), r(4)], lambda a, b: a + b),
    "sub": ([r(3, 4), r(3, 1)], lambda a, b: a - b),
    "mul": ([r(2, 3, 4), r(3, 4)], lambda a, b: a * b),
    "div": ([r(3, 4), r(4, positive=True)], lambda a, b: a / b),
    "pow": ([r(3, 4, positive=True), r(3, 4)], torch.pow),
    "maximum": ([r(3, 4), r(3, 4)], torch.maximum),
    "minimum": ([r(3, 4), r(3, 4)], torch.minimum),
    "add_s": ([r(3, 4)], lambda a: a + 2.5),
    "mul_s": ([r(3, 4)], lambda a: a * -1.5),
    "div_s": ([r(3, 4)], lambda a: a / 4.0),
    "pow_s": ([r(3, 4, positive=True)], lambda a: a ** 3.0),
    "rsub_s": ([r(3, 4)], lambda a: 1.0 - a),
    "clamp": ([r(3, 4)], lambda a: torch.clamp(a, -0.5, 0.7)),
    "clamp_min": ([r(3, 4)], lambda a: torch.clamp(a, min=0.1)),
    "sum_all": ([r(3, 4)], lambda a: a.sum()),
    "sum_dim": ([r(2, 3, 4)], lambda a: a.sum(dim=1, keepdim=True)),
    "mean_dims": ([r(2, 3, 4)], lambda a: a.mean(dim=(0, 2))),
    "amax": ([r(2, 3, 4)], lambda a: a.amax(dim=-1)),
    "amin": ([r(2, 3, 4)], lambda a: a.amin(dim=1, keepdim=True)),
    "logsumexp": ([r(2, 3, 4)], lambda a: torch.logsumexp(a, dim=-1)),
    "logsumexp_2d": ([r(2, 3, 4)], lambda a: torch.logsumexp(a, dim=(1, 2), keepdim=True)),
    "max_values": ([r(3, 5)], lambda a: a.max(dim=1).values),
    "norm": ([r(3, 4)], lambda a: a.norm(p=2, dim=-1)),
    "norm_all": ([r(3, 4)], lambda a: a.norm()),
    "normalize": ([r(3, 4)], lambda a: F.normalize(a, p=2.0, dim=-1)),
    "softmax": ([r(3, 5)], lambda a: torch.softmax(a, dim=-1)),
    "softmax_f32": ([r(3, 5, dtype=torch.float32)], lambda a: torch.softmax(a, dim=-1)),
    "log_softmax": ([r(3, 5)], lambda a: torch.log_softmax(a, dim=0)),
    "cumsum": ([r(3, 4)], lambda a: torch.cumsum(a, dim=1)),
    "transpose": ([r(2, 3, 4)], lambda a: a.transpose(0, 2)),
    "permute": ([r(2, 3, 4)], lambda a: a.permute(1, 2, 0)),
    "reshape": ([r(2, 3, 4)], lambda a: a.reshape(6, 4)),
    "narrow": ([r(4, 5)], lambda a: a.narrow(1, 1, 3)),
    "select": ([r(4, 5)], lambda a: a.select(0, 2)),
    "index_select": ([r(5, 3), torch.tensor([4, 0, 2, 2])], lambda a, i: torch.index_select(a, 0, i)),
    "gather": ([r(3, 4), torch.tensor([[0], [3], [1]])], lambda a, i: torch.gather(a, 1, i)),
    "expand": ([r(3, 1)], lambda a: a.expand(3, 4)),
    "unsqueeze": ([r(3, 4)], lambda a: a.unsqueeze(1)),
    "cat": ([r(2, 3), r(4, 3)], lambda a, b: torch.cat([a, b], 0)),
    "stack": ([r(2, 3), r(2, 3)], lambda a, b: torch.stack([a, b], 1)),
    "einsum": ([r(2, 3, 4), r(2, 5, 4)], lambda a, b: torch.einsum("bid,bjd->bij", a, b)),
    "matmul": ([r(2, 3, 4), r(4, 5)], torch.matmul),
    "matmul_f32": ([r(2, 3, 4, dtype=torch.float32), r(4, 5, dtype=torch.float32)], torch.matmul),
    "bmm": ([r(2, 3, 4), r(2, 4, 5)], torch.bmm),
    "linear": ([r(2, 3, 4), r(5, 4), r(5)], F.linear),
    "layer_norm": ([r(2, 3, 6), r(6), r(6)], lambda x, w, b: F.layer_norm(x, (6,), w, b, 1e-5)),
    "embedding": ([r(7, 3), torch.tensor([[1, 6, 1], [0, 2, 6]])], lambda w, i: F.embedding(i, w)),
    "masked_fill": ([r(3, 4), torch.tensor([[1, 0, 0, 1]]) > 0], lambda a, m: a.masked_fill(m, -1e9)),
    "where": ([torch.tensor([[1, 0, 1, 0]]) > 0, r(3, 4), r(3, 4)], torch.where),
    "cross_entropy": ([r(4, 5), torch.tensor([0, 4, 2, 2])], lambda x, t: F.cross_entropy(x, t)),
    "cross_entropy_sum_ls": ([r(4, 5), torch.tensor([1, 3, 0, 2])], lambda x, t: F.cross_entropy(x, t, reduction="sum", label_smoothing=0.1)),
    "mse_loss": ([r(3, 4), r(3, 4)], F.mse_loss),
    "eq": ([torch.tensor([1.0, 2.0, 3.0], dtype=D), torch.tensor([1.0, 0.0, 3.0], dtype=D)], torch.eq),
    "gt": ([r(3, 4), r(3, 4)], torch.gt),
    "lt_s": ([r(3, 4)], lambda a: a < 0.2),
    "to_f32": ([r(3, 4)], lambda a: a.to(torch.float32)),
}


def enc(t):
    t = t.detach()
    dtype = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        data = [int(v) for v in data]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


out = {"generator": "scripts/dev/torch_op_goldens.py", "torch_version": torch.__version__, "cases": []}
for name, (inputs, fn) in CASES.items():
    ins = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    y = fn(*ins)
    case = {"name": name, "inputs": [enc(x) for x in inputs], "output": enc(y), "weight": None, "grads": []}
    if y.is_floating_point() and y.requires_grad:
        w = torch.randn(y.shape, dtype=torch.float64).to(y.dtype)
        (y * w).sum().backward()
        case["weight"] = enc(w)
        case["grads"] = [enc(x.grad) if x.grad is not None else None for x in ins]
    out["cases"].append(case)

# Seeded random numbers: the binding's libtorch and PyTorch share the CPU generator.
torch.manual_seed(7)
rn = torch.randn(2, 3)
ru = torch.rand(4)
out["random"] = {"seed": 7, "randn_2x3": rn.tolist(), "rand_4": ru.tolist()}

# AdamW (torch.optim.AdamW) with two groups, per-step learning rates and gradient clipping.
torch.manual_seed(11)
p0, p1 = torch.randn(3, 4, dtype=D, requires_grad=True), torch.randn(4, dtype=D, requires_grad=True)
c0, c1 = torch.randn(3, 4, dtype=D), torch.randn(4, dtype=D)
init = [enc(p0), enc(p1)]
opt = torch.optim.AdamW([{"params": [p0], "weight_decay": 0.01}, {"params": [p1], "weight_decay": 0.0}], lr=0.1, betas=(0.9, 0.98), eps=1e-6)
lrs, norms, after = [0.1, 0.05, 0.02, 0.01], [], []
for lr in lrs:
    for g in opt.param_groups:
        g["lr"] = lr
    ((p0 * c0) ** 2).sum().add((p1 * c1).sum()).backward()
    norms.append(float(torch.nn.utils.clip_grad_norm_([p0, p1], 0.5)))
    opt.step()
    opt.zero_grad(set_to_none=True)
    after.append([enc(p0), enc(p1)])
st = opt.state[p0]
out["adamw"] = {"init": init, "c0": enc(c0), "c1": enc(c1), "lrs": lrs, "betas": [0.9, 0.98], "eps": 1e-6, "weight_decay": [0.01, 0.0],
                "clip": 0.5, "norms": norms, "after": after, "state_p0": {"step": int(st["step"]), "exp_avg": enc(st["exp_avg"]), "exp_avg_sq": enc(st["exp_avg_sq"])}}

here = os.path.dirname(os.path.abspath(__file__))
dst = os.path.join(here, "..", "..", "test", "golden", "engine", "ops.json")
os.makedirs(os.path.dirname(dst), exist_ok=True)
with open(dst, "w") as f:
    json.dump(out, f)
print(f"wrote {len(out['cases'])} cases to {os.path.normpath(dst)}")
