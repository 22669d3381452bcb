#!/usr/bin/env python3
"""Reference forward of a tiny random BERT and a tiny random XLM-R, in plain torch (no transformers).

Writes, for each model, test/golden/engine/<name>/{config.json, model.safetensors, head.safetensors,
ref.json}: HF-layout weights (safetensors written by hand: 8-byte LE header length, JSON header,
raw little-endian float32), a padded batch of ids + mask, and the reference outputs:
last hidden state [B, L, H], ColBERT vectors normalize(h W^T + b) * mask [B, L, dim] and the masked
mean pooled, L2-normalised vector [B, H]. Recorded with the torch version.

Run: /usr/bin/python3 scripts/dev/torch_encoder_ref.py
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "test", "golden", "engine")


def write_safetensors(path, tensors, prefix=""):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[prefix + name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make_weights(c, gen):
    H, I = c["hidden_size"], c["intermediate_size"]
    n = lambda *s: torch.randn(*s, generator=gen) * 0.2
    w = {
        "embeddings.word_embeddings.weight": n(c["vocab_size"], H),
        "embeddings.position_embeddings.weight": n(c["max_position_embeddings"], H),
        "embeddings.token_type_embeddings.weight": n(c["type_vocab_size"], H),
        "embeddings.LayerNorm.weight": 1 + n(H),
        "embeddings.LayerNorm.bias": n(H),
    }
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for k in ("query", "key", "value"):
            w[p + f"attention.self.{k}.weight"] = n(H, H)
            w[p + f"attention.self.{k}.bias"] = n(H)
        w[p + "attention.output.dense.weight"] = n(H, H)
        w[p + "attention.output.dense.bias"] = n(H)
        w[p + "attention.output.LayerNorm.weight"] = 1 + n(H)
        w[p + "attention.output.LayerNorm.bias"] = n(H)
        w[p + "intermediate.dense.weight"] = n(I, H)
        w[p + "intermediate.dense.bias"] = n(I)
        w[p + "output.dense.weight"] = n(H, I)
        w[p + "output.dense.bias"] = n(H)
        w[p + "output.LayerNorm.weight"] = 1 + n(H)
        w[p + "output.LayerNorm.bias"] = n(H)
    return w


def ln(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def forward(c, w, ids, mask):
    """Plain-torch BERT/XLM-R encoder forward (eval mode), float64 internally."""
    w = {k: v.double() for k, v in w.items()}
    B, L = ids.shape
    H, nh, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
    hd = H // nh
    pad = c["pad_token_id"]
    if c["model_type"] == "xlm-roberta":
        m = (ids != pad).long()
        pos = torch.cumsum(m, dim=1) * m + pad
    else:
        pos = torch.arange(L).unsqueeze(0).expand(B, L)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    bias = (1.0 - mask.double())[:, None, None, :] * -1e9
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        lin = lambda t, n: t @ w[p + n + ".weight"].T + w[p + n + ".bias"]
        split = lambda t: t.view(B, L, nh, hd).transpose(1, 2)
        q, k, v = (split(lin(x, f"attention.self.{n}")) for n in ("query", "key", "value"))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
        ctx = (a @ v).transpose(1, 2).reshape(B, L, H)
        x = ln(lin(ctx, "attention.output.dense") + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))
        x = ln(lin(h, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return x


def build(name, config, ids, lengths, seed):
    gen = torch.Generator().manual_seed(seed)
    w = make_weights(config, gen)
    dim = 8
    head = {"linear.weight": torch.randn(dim, config["hidden_size"], generator=gen) * 0.2, "linear.bias": torch.randn(dim, generator=gen) * 0.2}
    B, L = len(ids), max(len(r) for r in ids)
    pad = config["pad_token_id"]
    ids_t = torch.full((B, L), pad, dtype=torch.long)
    mask = torch.zeros(B, L, dtype=torch.long)
    for i, r in enumerate(ids):
        ids_t[i, : len(r)] = torch.tensor(r)
        mask[i, : lengths[i]] = 1
    h = forward(config, w, ids_t, mask)
    m = mask.double().unsqueeze(-1)
    col = torch.nn.functional.normalize(h @ head["linear.weight"].double().T + head["linear.bias"].double(), dim=-1) * m
    mean = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    prefix = "bert." if config["model_type"] == "bert" else "roberta."
    write_safetensors(os.path.join(d, "model.safetensors"), w, prefix)  # prefixed like HF *ForMaskedLM checkpoints
    write_safetensors(os.path.join(d, "head.safetensors"), head)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    ref = {
        "generator": "scripts/dev/torch_encoder_ref.py",
        "torch_version": torch.__version__,
        "B": B, "L": L, "dim": dim,
        "ids": ids_t.reshape(-1).tolist(), "mask": mask.reshape(-1).tolist(),
        "last_hidden_state": [round(v, 7) for v in h.reshape(-1).tolist()],
        "colbert": [round(v, 7) for v in col.reshape(-1).tolist()],
        "mean_pooled": [round(v, 7) for v in mean.reshape(-1).tolist()],
    }
    with open(os.path.join(d, "ref.json"), "w") as f:
        json.dump(ref, f)
    print(f"wrote {d}")


common = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, hidden_act="gelu", position_embedding_type="absolute")
bert = dict(model_type="bert", vocab_size=60, max_position_embeddings=24, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, **common)
xlmr = dict(model_type="xlm-roberta", vocab_size=70, max_position_embeddings=26, type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, **common)
# BERT: second row padded with [PAD]=0 and masked. XLM-R: pads (id 1) after </s>=2.
if __name__ == "__main__":
    build("tiny-bert", bert, [[2, 15, 33, 47, 8, 3], [2, 21, 59, 3]], [6, 4], seed=11)
    build("tiny-xlmr", xlmr, [[0, 15, 33, 47, 8, 69, 2], [0, 21, 40, 2]], [7, 4], seed=12)
