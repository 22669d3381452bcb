#!/usr/bin/python3
"""Tiny late-interaction checkpoints in the layouts xlir reads, and the scores of an independent
PyTorch implementation of ColBERT / PyLate scoring that the model tests compare against.

Run once from the repository root with Debian's python (python3-torch):
    /usr/bin/python3 scripts/dev/make_late_models.py

Writes
  test/fixtures/tiny-colbert/   ColBERT / ColBERTv2 layout: config.json (architectures ["HF_ColBERT"]),
                                model.safetensors ('bert.*' + 'linear.weight' [16, 32], no bias),
                                artifact.metadata (query_maxlen 12, doc_maxlen 20, dim 16,
                                attend_to_mask_tokens false, mask_punctuation true), tokenizer.json
                                (WordPiece with [unused0]/[unused1] and every ASCII punctuation mark)
  test/fixtures/tiny-pylate/    PyLate / sentence-transformers layout: modules.json (Transformer + 1_Dense +
                                2_Dense), model.safetensors (no prefix), 1_Dense (32->24, no bias),
                                2_Dense (24->16, bias), config_sentence_transformers.json ("[Q] "/"[D] "
                                prefixes as added tokens, query_length 12, document_length 20)
  test/fixtures/tiny-bert-sharded/  the tiny-bert encoder as a sharded checkpoint
                                (model.safetensors.index.json + 2 shards, BF16 and F16 weights)
  test/golden/models/late-interaction.json: per layout (and attend_to_mask_tokens false/true for ColBERT)
                                the query and document ids, the kept-token counts and the MaxSim score
                                matrix queries x documents, float64; the sharded model's hidden states.

The reference follows ColBERT's QueryTokenizer/DocTokenizer/ColBERT.query/doc and PyLate's
ColBERT.tokenize/encode conventions, written here from their documented behaviour (no code of theirs):
  query:    [CLS] marker t_1..t_k [SEP] truncated to query_maxlen, padded with [MASK] to query_maxlen;
            attention 0 on the masks unless attend_to_mask_tokens; every output vector kept
  document: [CLS] marker t_1..t_k [SEP] truncated to doc_maxlen; vectors of skiplist tokens dropped
  vector = normalize(linear(h)); score(q, d) = sum_i max_j q_i . d_j
Nothing here downloads anything; weights are random (seeded).
"""
import json
import os
import string
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import (bert_basic_tokenize, forward, init_weights, rnd, tensor_bytes, wordpiece,  # noqa: E402
                          write_json, write_safetensors)
from make_tiny_models import BERT_SPECIAL, BERT_WORDS, bert_tokenizer_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "test", "fixtures")
GOLD = os.path.join(ROOT, "test", "golden", "models")
VERSIONS = {"python": sys.version.split()[0], "torch": torch.__version__}

QUERIES = ["hello world", "the quick brown fox jumped over the lazy dogs", "search?", "cafe, query; token!",
           "low resource language search low resource language search again and again"]
DOCS = ["The quick brown fox jumped over the lazy dog.", "Hello, world! (a search-query document)",
        "low resource language: search, query & token #1", "unaffable runner's running ... yes?",
        "language search " * 12]


def vocab():
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789")
    punct = list(string.punctuation)
    return BERT_SPECIAL + ["[unused0]", "[unused1]"] + chars + punct + ["##" + c for c in chars] + BERT_WORDS


def config(V):
    return {"model_type": "bert", "vocab_size": V, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 64, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": 40, "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
            "pad_token_id": 0, "position_embedding_type": "absolute"}


def wp_ids(text, ids_of):
    return [ids_of[p] for wd in bert_basic_tokenize(text) for p in wordpiece(wd, ids_of)]


def query_ids(text, ids_of, marker, length, mask_id, attend):
    body = wp_ids(text, ids_of)[:length - 3]  # [CLS] marker ... [SEP] fit `length`
    ids = [ids_of["[CLS]"], marker] + body + [ids_of["[SEP]"]]
    n = len(ids)
    ids = ids + [mask_id] * (length - n)
    attn = [1] * n + [1 if attend else 0] * (length - n)
    return ids, attn, [1] * length


def doc_ids(text, ids_of, marker, length, skip):
    body = wp_ids(text, ids_of)[:length - 3]
    ids = [ids_of["[CLS]"], marker] + body + [ids_of["[SEP]"]]
    return ids, [1] * len(ids), [0 if i in skip else 1 for i in ids]


def vectors(cfg, w, proj, rows):
    """rows: (ids, attn, keep) -> list of [kept, dim] float64 normalised vectors (each text alone)."""
    out = []
    for ids, attn, keep in rows:
        h = forward(cfg, w, torch.tensor([ids]), torch.tensor([attn]))[0]  # [L, H] float64
        y = proj(h)
        y = y / y.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        out.append(y[torch.tensor(keep, dtype=torch.bool)])
    return out


def maxsim(Q, D):
    return [[float((q @ d.T).max(dim=1).values.sum()) for d in D] for q in Q]


def case(cfg, w, proj, ids_of, qm, dm, qlen, dlen, mask_id, attend, skip):
    qrows = [query_ids(t, ids_of, qm, qlen, mask_id, attend) for t in QUERIES]
    drows = [doc_ids(t, ids_of, dm, dlen, skip) for t in DOCS]
    Q, D = vectors(cfg, w, proj, qrows), vectors(cfg, w, proj, drows)
    return {"query_ids": [r[0] for r in qrows], "query_attention": [r[1] for r in qrows],
            "doc_ids": [r[0] for r in drows], "doc_kept_ids": [[i for i, k in zip(r[0], r[2]) if k] for r in drows],
            "scores": maxsim(Q, D), "first_query_vectors": rnd(Q[0]), "first_doc_vectors": rnd(D[0])}


def make_colbert(voc):
    d = os.path.join(FIX, "tiny-colbert")
    os.makedirs(d, exist_ok=True)
    ids_of = {t: i for i, t in enumerate(voc)}
    cfg = {"architectures": ["HF_ColBERT"], **config(len(voc))}
    w = init_weights(cfg, 2468, "bert.")
    g = torch.Generator().manual_seed(7)
    lin = torch.randn(16, 32, generator=g) * 0.3
    write_safetensors(os.path.join(d, "model.safetensors"), {**w, "linear.weight": lin}, {"format": "pt"})
    meta = {"query_token_id": "[unused0]", "doc_token_id": "[unused1]", "query_token": "[Q]", "doc_token": "[D]",
            "query_maxlen": 12, "doc_maxlen": 20, "dim": 16, "attend_to_mask_tokens": False, "mask_punctuation": True,
            "similarity": "cosine", "interaction": "colbert", "nway": 2, "checkpoint": "tiny", "meta": {"version": "colbert-v0.4"}}
    write_json(os.path.join(d, "artifact.metadata"), meta)
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "tokenizer.json"), bert_tokenizer_json(voc))
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                                                          "model_max_length": 40, "mask_token": "[MASK]"})
    # ColBERT's skiplist: the first token id of every punctuation mark encoded alone
    skip = {wp_ids(p, ids_of)[0] for p in string.punctuation}
    proj = lambda h: h @ lin.double().T  # noqa: E731
    args = (cfg, w, proj, ids_of, ids_of["[unused0]"], ids_of["[unused1]"], 12, 20, ids_of["[MASK]"])
    return {"attend_false": case(*args, False, skip), "attend_true": case(*args, True, skip)}


def make_pylate(voc):
    d = os.path.join(FIX, "tiny-pylate")
    os.makedirs(os.path.join(d, "1_Dense"), exist_ok=True)
    os.makedirs(os.path.join(d, "2_Dense"), exist_ok=True)
    voc = voc + ["[Q] ", "[D] "]  # PyLate adds its prefixes to the tokenizer and resizes the embeddings
    ids_of = {t: i for i, t in enumerate(voc)}
    cfg = {"architectures": ["BertModel"], **config(len(voc))}
    w = init_weights(cfg, 1357, "")
    write_safetensors(os.path.join(d, "model.safetensors"), w, {"format": "pt"})
    g = torch.Generator().manual_seed(11)
    w1 = torch.randn(24, 32, generator=g) * 0.3
    w2, b2 = torch.randn(16, 24, generator=g) * 0.3, torch.randn(16, generator=g) * 0.1
    write_safetensors(os.path.join(d, "1_Dense", "model.safetensors"), {"linear.weight": w1})
    write_safetensors(os.path.join(d, "2_Dense", "model.safetensors"), {"linear.weight": w2, "linear.bias": b2})
    ident = "torch.nn.modules.linear.Identity"
    write_json(os.path.join(d, "1_Dense", "config.json"), {"in_features": 32, "out_features": 24, "bias": False,
                                                           "activation_function": ident, "use_residual": False})
    write_json(os.path.join(d, "2_Dense", "config.json"), {"in_features": 24, "out_features": 16, "bias": True,
                                                           "activation_function": ident})
    write_json(os.path.join(d, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Dense", "type": "pylate.models.Dense.Dense"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "pylate.models.Dense.Dense"}])
    write_json(os.path.join(d, "config_sentence_transformers.json"), {
        "__version__": {"sentence_transformers": "reference", "pylate": "reference"}, "prompts": {}, "default_prompt_name": None,
        "similarity_fn_name": "MaxSim", "query_prefix": "[Q] ", "document_prefix": "[D] ", "query_length": 12,
        "document_length": 20, "attend_to_expansion_tokens": False, "skiplist_words": list(string.punctuation),
        "do_query_expansion": True})
    write_json(os.path.join(d, "sentence_bert_config.json"), {"max_seq_length": 19, "do_lower_case": False})
    write_json(os.path.join(d, "config.json"), cfg)
    tj = bert_tokenizer_json(voc)
    for t in ("[Q] ", "[D] "):
        tj["added_tokens"].append({"id": ids_of[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                                   "normalized": True, "special": False})
    write_json(os.path.join(d, "tokenizer.json"), tj)
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                                                          "model_max_length": 40, "mask_token": "[MASK]"})
    # PyLate's skiplist: convert_tokens_to_ids of each word (the marks are all vocabulary tokens here)
    skip = {ids_of[p] for p in string.punctuation}
    proj = lambda h: (h @ w1.double().T) @ w2.double().T + b2.double()  # noqa: E731
    return {"default": case(cfg, w, proj, ids_of, ids_of["[Q] "], ids_of["[D] "], 12, 20, ids_of["[MASK]"], False, skip)}


def make_sharded():
    """tiny-bert's encoder (make_tiny_models.py) in two shards: embeddings + layer 0 as BF16, layer 1 as F16."""
    src = os.path.join(FIX, "tiny-bert")
    d = os.path.join(FIX, "tiny-bert-sharded")
    os.makedirs(d, exist_ok=True)
    from hf_reference import read_safetensors
    w, _ = read_safetensors(os.path.join(src, "model.safetensors"))
    w = {k: v for k, v in w.items() if not k.startswith("bert.pooler") and "position_ids" not in k}
    a = {k: v.to(torch.bfloat16) for k, v in w.items() if "layer.1." not in k}
    b = {k: v.to(torch.float16) for k, v in w.items() if "layer.1." in k}
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    write_safetensors(os.path.join(d, names[0]), a, {"format": "pt"})
    write_safetensors(os.path.join(d, names[1]), b, {"format": "pt"})
    total = sum(len(tensor_bytes(t)) for t in list(a.values()) + list(b.values()))
    write_json(os.path.join(d, "model.safetensors.index.json"), {"metadata": {"total_size": total},
                                                               "weight_map": {**{k: names[0] for k in a}, **{k: names[1] for k in b}}})
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        with open(os.path.join(src, f)) as i, open(os.path.join(d, f), "w") as o:
            o.write(i.read())
    cfg = json.load(open(os.path.join(src, "config.json")))
    rounded = {**{k: v.float() for k, v in a.items()}, **{k: v.float() for k, v in b.items()}}
    ids = [2, 60, 70, 80, 3]  # [CLS] ... [SEP]
    h = forward(cfg, rounded, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
    return {"ids": ids, "hidden": rnd(h)}


if __name__ == "__main__":
    os.makedirs(GOLD, exist_ok=True)
    voc = vocab()
    out = {"versions": VERSIONS, "queries": QUERIES, "documents": DOCS,
           "colbert": make_colbert(voc), "pylate": make_pylate(voc), "sharded": make_sharded()}
    write_json(os.path.join(GOLD, "late-interaction.json"), out)
    for name in ("tiny-colbert", "tiny-pylate", "tiny-bert-sharded"):
        size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(FIX, name)) for f in fs)
        print(f"{name}: {size} bytes")
