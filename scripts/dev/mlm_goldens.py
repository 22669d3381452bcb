#!/usr/bin/env python3
"""Reference MLM loss and gradients for the tiny XLM-R of test/golden/engine/tiny-xlmr, in plain torch.

The encoder forward is torch_encoder_ref.py's (float64, eval mode); the head is HF
XLMRobertaForMaskedLM's lm_head: LN(gelu(h W^T + b)) E^T + bias with the decoder tied to the word
embeddings E; the loss is the mean cross-entropy at the masked positions. Writes
test/golden/engine/mlm/{head.safetensors, ref.json}: the head weights, a masked batch (ids given
here, not drawn by xlir's masking), the loss and the gradients of four parameters.

Run: /usr/bin/python3 scripts/dev/mlm_goldens.py
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_encoder_ref import OUT, forward, ln, write_safetensors  # noqa: E402


def read_safetensors(path, strip=""):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(e["shape"])
        out[name[len(strip):] if name.startswith(strip) else name] = t
    return out


def main():
    src = os.path.join(OUT, "tiny-xlmr")
    with open(os.path.join(src, "config.json")) as f:
        c = json.load(f)
    w = {k: v.double().requires_grad_(True) for k, v in read_safetensors(os.path.join(src, "model.safetensors"), "roberta.").items()}
    H, V = c["hidden_size"], c["vocab_size"]
    gen = torch.Generator().manual_seed(21)
    head = {
        "lm_head.dense.weight": torch.randn(H, H, generator=gen) * 0.2,
        "lm_head.dense.bias": torch.randn(H, generator=gen) * 0.2,
        "lm_head.layer_norm.weight": 1 + torch.randn(H, generator=gen) * 0.2,
        "lm_head.layer_norm.bias": torch.randn(H, generator=gen) * 0.2,
        "lm_head.bias": torch.randn(V, generator=gen) * 0.2,
    }
    hw = {k: v.double().requires_grad_(True) for k, v in head.items()}
    # <s> 15 33 47 8 69 </s> and <s> 21 40 </s> <pad>*3; masked: 33 -> <mask> (69), 8 -> 12 (a random
    # token), 21 kept (BERT's three cases); the chosen flat positions and their original ids
    B, L = 2, 7
    ids = torch.tensor([[0, 15, 69, 47, 12, 69, 2], [0, 21, 40, 2, 1, 1, 1]])
    mask = torch.tensor([[1] * 7, [1, 1, 1, 1, 0, 0, 0]])
    positions = [2, 4, 8]
    labels = [33, 8, 21]
    h = forward(c, w, ids, mask).reshape(B * L, H)[positions]
    d = h @ hw["lm_head.dense.weight"].T + hw["lm_head.dense.bias"]
    g = 0.5 * d * (1.0 + torch.erf(d / 2.0**0.5))
    n = ln(g, hw["lm_head.layer_norm.weight"], hw["lm_head.layer_norm.bias"], c["layer_norm_eps"])
    logits = n @ w["embeddings.word_embeddings.weight"].T + hw["lm_head.bias"]
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    grads = {
        "embeddings.word_embeddings.weight": w["embeddings.word_embeddings.weight"].grad,
        "encoder.layer.0.attention.self.query.weight": w["encoder.layer.0.attention.self.query.weight"].grad,
        "lm_head.dense.weight": hw["lm_head.dense.weight"].grad,
        "lm_head.bias": hw["lm_head.bias"].grad,
    }
    d = os.path.join(OUT, "mlm")
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "head.safetensors"), head)
    ref = {
        "generator": "scripts/dev/mlm_goldens.py",
        "torch_version": torch.__version__,
        "B": B, "L": L,
        "input": ids.reshape(-1).tolist(), "mask": mask.reshape(-1).tolist(),
        "positions": positions, "labels": labels,
        "loss": loss.item(),
        "grads": {k: [round(v, 10) for v in t.reshape(-1).tolist()] for k, t in grads.items()},
    }
    with open(os.path.join(d, "ref.json"), "w") as f:
        json.dump(ref, f)
    print(f"wrote {d}: loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
