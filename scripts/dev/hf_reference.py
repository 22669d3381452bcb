#!/usr/bin/python3
"""Reference pieces shared by the dev scripts (no xlir code): safetensors written/read by hand from torch
tensors, BERT's basic tokenizer + greedy longest-match-first WordPiece, and a plain-torch BERT / XLM-R
forward with Hugging Face semantics. Used by make_tiny_models.py and hf_bench_torch.py."""
import json
import struct
import sys
import unicodedata

import torch

assert sys.byteorder == "little"

# ---------------------------------------------------------------- safetensors, by hand
DTYPES = {torch.float32: ("F32", torch.int32), torch.float16: ("F16", torch.int16), torch.bfloat16: ("BF16", torch.int16),
          torch.float64: ("F64", torch.int64), torch.int64: ("I64", torch.int64), torch.int32: ("I32", torch.int32)}
FROM_NAME = {v[0]: k for k, v in DTYPES.items()}


def tensor_bytes(t):
    name, int_view = DTYPES[t.dtype]
    return t.contiguous().view(int_view).numpy().tobytes()  # raw little-endian bits


def write_safetensors(path, tensors, metadata=None, pad_to=8):
    header, off, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        raw = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad_to:
        h += b" " * ((-len(h)) % pad_to)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + end])
        dt = FROM_NAME[e["dtype"]]
        out[name] = torch.frombuffer(raw, dtype=DTYPES[dt][1]).view(dt).reshape(e["shape"]).clone()
    return out, header.get("__metadata__", {})


# ---------------------------------------------------------------- reference BERT tokenizer
def _is_ws(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def _is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf")


def _is_punct(c):
    cp = ord(c)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or unicodedata.category(c).startswith("P")


def _is_cjk(cp):
    return any(a <= cp <= b for a, b in [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
                                          (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)])


def bert_basic_tokenize(text):
    out = []
    for c in text:
        if ord(c) == 0 or ord(c) == 0xFFFD or _is_control(c):
            continue
        out.append(" " if _is_ws(c) else (f" {c} " if _is_cjk(ord(c)) else c))
    text = "".join(out).lower()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    words = []
    for w in text.split():
        cur = ""
        for c in w:
            if _is_punct(c):
                if cur:
                    words.append(cur)
                words.append(c)
                cur = ""
            else:
                cur += c
        if cur:
            words.append(cur)
    return words


def wordpiece(word, vocab, unk="[UNK]", max_chars=100):
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def truncate(tokens, max_len):
    """Keeps the first tokens and the final special token (as xlir does)."""
    if len(tokens) <= max_len:
        return tokens, False
    return tokens[:max_len - 1] + tokens[-1:], True


# ---------------------------------------------------------------- reference encoder forward (float64)
def init_weights(cfg, seed, prefix):
    g = torch.Generator().manual_seed(seed)
    H, F, V, P, T = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], cfg["max_position_embeddings"], cfg["type_vocab_size"]
    r = lambda *s: torch.randn(*s, generator=g) * 0.2  # noqa: E731
    w = {"embeddings.word_embeddings.weight": r(V, H), "embeddings.position_embeddings.weight": r(P, H),
         "embeddings.token_type_embeddings.weight": r(T, H),
         "embeddings.LayerNorm.weight": 1 + r(H) * 0.5, "embeddings.LayerNorm.bias": r(H)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for n in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            w[p + n + ".weight"], w[p + n + ".bias"] = r(H, H), r(H)
        w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"] = 1 + r(H) * 0.5, r(H)
        w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"] = r(F, H), r(F)
        w[p + "output.dense.weight"], w[p + "output.dense.bias"] = r(H, F), r(H)
        w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"] = 1 + r(H) * 0.5, r(H)
    return {prefix + k: v.float() for k, v in w.items()}


def forward(cfg, w, ids, mask, dtype=torch.float64):
    """Last hidden state [B, L, H] of a BERT / XLM-R encoder (float64 by default), HF semantics."""
    w = {k.split(".", 1)[1] if k.startswith(("bert.", "roberta.")) else k: v.to(dtype) for k, v in w.items()}
    B, L = ids.shape
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    dh, eps = H // nh, cfg["layer_norm_eps"]
    if cfg["model_type"] == "xlm-roberta":
        pad = cfg["pad_token_id"]
        m = (ids != pad).long()
        pos = torch.cumsum(m, dim=1) * m + pad  # padding_idx + 1 + running count for real tokens
    else:
        pos = torch.arange(L).unsqueeze(0).expand(B, L)
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (H,), w[n + ".weight"], w[n + ".bias"], eps)  # noqa: E731
    lin = lambda x, n: x @ w[n + ".weight"].T + w[n + ".bias"]  # noqa: E731
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos] \
        + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
    x = ln(x, "embeddings.LayerNorm")  # [B, L, H]
    bias = (1.0 - mask.to(dtype))[:, None, None, :] * torch.finfo(dtype).min  # [B, 1, 1, L]
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        heads = lambda t: t.view(B, L, nh, dh).transpose(1, 2)  # noqa: E731  [B, nh, L, dh]
        q, k, v = (heads(lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        a = torch.softmax(q @ k.transpose(-1, -2) / dh ** 0.5 + bias, dim=-1)  # [B, nh, L, L]
        ctx = (a @ v).transpose(1, 2).reshape(B, L, H)
        x = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        f = torch.nn.functional.gelu(lin(x, p + "intermediate.dense"))  # exact (erf) GELU
        x = ln(lin(f, p + "output.dense") + x, p + "output.LayerNorm")
    return x


def rnd(xs):
    return [[float(f"{v:.7g}") for v in row] for row in xs.tolist()]


def goldens(cfg, weights, rows, head=None):
    """rows: (text, tokens, ids, truncated). One forward per text alone and one padded batch (must agree)."""
    out = []
    L = max(len(r[2]) for r in rows)
    pad = cfg["pad_token_id"]
    ids_b = torch.tensor([r[2] + [pad] * (L - len(r[2])) for r in rows])
    mask_b = (torch.arange(L)[None, :] < torch.tensor([len(r[2]) for r in rows])[:, None]).long()
    hb = forward(cfg, weights, ids_b, mask_b)
    worst = 0.0
    for i, (text, toks, ids, trunc) in enumerate(rows):
        h = forward(cfg, weights, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
        worst = max(worst, (h - hb[i, :len(ids)]).abs().max().item())
        g = {"text": text, "tokens": toks, "ids": ids, "truncated": trunc, "hidden": rnd(h)}
        if head is not None:
            y = h @ head["linear.weight"].double().T + head["linear.bias"].double()
            g["head"] = rnd(y / y.norm(dim=-1, keepdim=True))
        out.append(g)
    assert worst < 1e-9, f"padded batch differs from single forward by {worst}"
    return out


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
