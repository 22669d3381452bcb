#!/usr/bin/python3
"""Creates the tiny Hugging Face fixtures and the PyTorch goldens the model tests compare against.

Run once from the repository root with Debian's python (torch, sentencepiece):
    /usr/bin/python3 scripts/dev/make_tiny_models.py

Writes
  test/fixtures/tiny-bert/   config.json, model.safetensors (keys prefixed 'bert.', plus pooler and
                             position_ids that xlir drops), tokenizer.json (WordPiece),
                             tokenizer_config.json, xlir.json + xlir_head.safetensors (ColBERT head, dim 16)
  test/fixtures/tiny-xlmr/   same layout, Unigram tokenizer trained with spm_train, no head
  test/golden/models/tiny-bert.json, tiny-xlmr.json: per text the reference tokens, ids, truncation flag,
                             last hidden state (and head output) of a reference forward written here in
                             plain torch, float64.
  test/golden/models/torch_written.safetensors + .json: a file written by hand from torch tensors
                             (F32/F16/BF16/F64/I64/I32, misaligned data start) and its values as torch reads them.
  test/golden/models/xlir_written_check.json: a file written by xlir (scripts/dev/hf-xlir-write.ts) read back
                             here and compared to torch's own float16/bfloat16 conversion.

Reference tokenizers: BERT's basic tokenizer + greedy longest-match-first WordPiece (hf_reference.py);
the Unigram model is tokenised by the sentencepiece library itself (python3-sentencepiece).
Nothing here downloads anything; weights are random (seeded).
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import (DTYPES, bert_basic_tokenize, goldens, init_weights, read_safetensors, truncate,  # noqa: E402
                          wordpiece, write_json, write_safetensors)


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "test", "fixtures")
GOLD = os.path.join(ROOT, "test", "golden", "models")
MAX_LEN = 24  # truncation length used for every golden text
VERSIONS = {"python": sys.version.split()[0], "torch": torch.__version__, "sentencepiece": spm.__version__}
assert sys.byteorder == "little"


# ---------------------------------------------------------------- tiny BERT
BERT_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
BERT_WORDS = ["the", "quick", "brown", "fox", "jump", "##ed", "##ing", "##s", "over", "lazy", "dog", "hello", "world",
              "run", "##ning", "##ner", "yes", "un", "##aff", "##able", "cafe", "search", "query", "document", "token",
              "##ize", "##r", "language", "low", "resource"]


def bert_vocab():
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789") + list(".,!?;:'\"-()")
    return BERT_SPECIAL + chars + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"] + BERT_WORDS


def bert_tokenizer_json(vocab):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(BERT_SPECIAL)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


BERT_TEXTS = ["Hello, world!", "The QUICK brown fox jumped over the lazy dogs.", "unaffable xyzzy Runner's running",
              "Café? Yes: 日本 (jumping) — search-query; tokenizer!",
              "low resource language search " * 8]


def make_bert():
    d = os.path.join(FIX, "tiny-bert")
    os.makedirs(d, exist_ok=True)
    vocab = bert_vocab()
    cfg = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": len(vocab), "hidden_size": 32,
           "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
           "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 64,
           "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0,
           "position_embedding_type": "absolute"}
    w = init_weights(cfg, 1234, "bert.")
    g = torch.Generator().manual_seed(99)
    extra = {"bert.pooler.dense.weight": torch.randn(32, 32, generator=g), "bert.pooler.dense.bias": torch.randn(32, generator=g),
             "bert.embeddings.position_ids": torch.arange(64).unsqueeze(0)}
    write_safetensors(os.path.join(d, "model.safetensors"), {**w, **extra}, {"format": "pt"})
    head = {"linear.weight": torch.randn(16, 32, generator=g) * 0.3, "linear.bias": torch.randn(16, generator=g) * 0.1}
    write_safetensors(os.path.join(d, "xlir_head.safetensors"), head, {"format": "pt"})
    write_json(os.path.join(d, "xlir.json"), {"kind": "colbert", "dim": 16, "pooling": "cls"})
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "tokenizer.json"), bert_tokenizer_json(vocab))
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 64})
    ids_of = {t: i for i, t in enumerate(vocab)}
    rows = []
    for text in BERT_TEXTS:
        toks = ["[CLS]"] + [p for wd in bert_basic_tokenize(text) for p in wordpiece(wd, ids_of)] + ["[SEP]"]
        toks, trunc = truncate(toks, MAX_LEN)
        rows.append((text, toks, [ids_of[t] for t in toks], trunc))
    write_json(os.path.join(GOLD, "tiny-bert.json"), {"versions": VERSIONS, "max_length": MAX_LEN, "dtype": "float64 reference",
                                                     "texts": goldens(cfg, w, rows, head)})


# ---------------------------------------------------------------- tiny XLM-R (Unigram via spm_train)
SPM_CORPUS = """The quick brown fox jumps over the lazy dog.
Cross-lingual retrieval finds English documents for queries in other languages.
Kaixo mundua! Zer moduz zaude gaur?
Euskara hizkuntza zaharra da eta Euskal Herrian hitz egiten da.
Habari ya asubuhi, rafiki yangu.
Lugha ya Kiswahili inazungumzwa Afrika Mashariki.
សួស្តី ពិភពលោក
ភាសាខ្មែរ គឺជាភាសាផ្លូវការ
Search engines rank documents by relevance to a query.
Low resource languages have little training data.
Hello world, hello again; goodbye world.
Numbers like 2023 and 42 appear in text too.
"""


def unigram_tokenizer_json(sp):
    special = {0: "<s>", 1: "<pad>", 2: "</s>", 3: "<unk>"}
    vocab = [[sp.id_to_piece(i), 0.0 if i in special else sp.get_score(i)] for i in range(sp.get_piece_size())]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in special.items()],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Strip", "strip_left": True, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": True},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


XLMR_TEXTS = ["Hello, world!", "Kaixo mundua! Zer moduz?", "THE QUICK brown fox xyzzy",
              "សួស្តី\u200bពិភពលោក", "日本語 ☃ search", "Cross-lingual retrieval finds English documents for queries " * 4]


def make_xlmr():
    d = os.path.join(FIX, "tiny-xlmr")
    os.makedirs(d, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(d, "spm_corpus.txt")  # committed: test/text re-trains from it with xlir's spm.ts
        open(corpus, "w").write(SPM_CORPUS)
        prefix = os.path.join(tmp, "spm")
        subprocess.run(["spm_train", f"--input={corpus}", f"--model_prefix={prefix}", "--model_type=unigram",
                        "--vocab_size=160", "--character_coverage=1.0", "--normalization_rule_name=nfkc",
                        "--bos_id=0", "--pad_id=1", "--eos_id=2", "--unk_id=3", "--hard_vocab_limit=false",
                        "--random_seed=17", "--num_threads=1", "--minloglevel=2"], check=True)
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    V = sp.get_piece_size() + 1  # + <mask>
    cfg = {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": V, "hidden_size": 32,
           "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
           "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 66,
           "type_vocab_size": 1, "initializer_range": 0.02, "layer_norm_eps": 1e-5, "pad_token_id": 1,
           "bos_token_id": 0, "eos_token_id": 2, "position_embedding_type": "absolute"}
    w = init_weights(cfg, 4321, "")
    write_safetensors(os.path.join(d, "model.safetensors"), w, {"format": "pt"})
    tj = unigram_tokenizer_json(sp)
    tj["added_tokens"].append({"id": V - 1, "content": "<mask>", "single_word": False, "lstrip": True, "rstrip": False,
                               "normalized": False, "special": True})
    tj["model"]["vocab"].append(["<mask>", 0.0])
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "tokenizer.json"), tj)
    write_json(os.path.join(d, "tokenizer_config.json"), {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 64})
    rows = []
    for text in XLMR_TEXTS:
        pieces = ["<s>"] + sp.encode(text, out_type=str) + ["</s>"]
        ids = [0] + sp.encode(text) + [2]
        pieces, trunc = truncate(pieces, MAX_LEN)
        ids, _ = truncate(ids, MAX_LEN)
        rows.append((text, pieces, ids, trunc))
    write_json(os.path.join(GOLD, "tiny-xlmr.json"), {"versions": VERSIONS, "max_length": MAX_LEN, "dtype": "float64 reference",
                                                     "spm_train": "unigram, vocab 160, nfkc, seed 17, 1 thread",
                                                     "texts": goldens(cfg, w, rows)})


# ---------------------------------------------------------------- safetensors goldens, both directions
def make_safetensors_goldens():
    g = torch.Generator().manual_seed(5)
    t = {"a.f32": torch.randn(3, 4, generator=g),
         "b.f16": torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 1e-5, 0.333], dtype=torch.float16),
         "c.bf16": (torch.randn(2, 3, generator=g) * 1000).to(torch.bfloat16),
         "d.f64": torch.tensor([1.0 / 3.0, -1e10], dtype=torch.float64),
         "e.i64": torch.tensor([-7, 0, 123456789], dtype=torch.int64),
         "f.i32": torch.tensor([[1, -2], [3, 2147483647]], dtype=torch.int32)}
    path = os.path.join(GOLD, "torch_written.safetensors")
    # pad_to=1: header length 8 + odd -> the F32 data start is not 4-byte aligned (exercise the copy path)
    write_safetensors(path, t, {"writer": "make_tiny_models.py"}, pad_to=None)
    n = struct.unpack("<Q", open(path, "rb").read(8))[0]
    write_json(os.path.join(GOLD, "torch_written.json"), {
        "versions": VERSIONS, "data_start": 8 + n, "metadata": {"writer": "make_tiny_models.py"},
        "tensors": {k: {"dtype": DTYPES[v.dtype][0], "shape": list(v.shape), "values": v.float().flatten().tolist()}
                    for k, v in t.items()}})
    # Reverse direction: xlir writes (values i -> sin(i) * 10^(i % 7 - 3)), torch reads by hand and compares bits.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "xlir.safetensors")
        subprocess.run(["npx", "tsx", os.path.join(ROOT, "scripts", "dev", "hf-xlir-write.ts"), out], check=True, cwd=ROOT)
        read, meta = read_safetensors(out)
        sha = hashlib.sha256(open(out, "rb").read()).hexdigest()
    import math
    vals = torch.tensor([math.sin(i) * 10 ** (i % 7 - 3) for i in range(60)], dtype=torch.float64).float()
    report = {"versions": VERSIONS, "sha256": sha, "metadata": meta, "tensors": {}}
    for name, dt in [("x.f32", torch.float32), ("x.f16", torch.float16), ("x.bf16", torch.bfloat16)]:
        ref = vals.to(dt).reshape(3, 4, 5)
        got = read[name]
        report["tensors"][name] = {"dtype": DTYPES[got.dtype][0], "shape": list(got.shape),
                                   "bit_exact": bool(got.dtype == dt and torch.equal(got.view(DTYPES[dt][1]), ref.view(DTYPES[dt][1]))),
                                   "max_abs_diff": float((got.float() - ref.float()).abs().max())}
    write_json(os.path.join(GOLD, "xlir_written_check.json"), report)
    print("xlir-written file read by torch:", json.dumps(report["tensors"]))


if __name__ == "__main__":
    os.makedirs(GOLD, exist_ok=True)
    make_bert()
    make_xlmr()
    make_safetensors_goldens()
    for name in ("tiny-bert", "tiny-xlmr"):
        size = sum(os.path.getsize(os.path.join(FIX, name, f)) for f in os.listdir(os.path.join(FIX, name)))
        print(f"{name}: {size} bytes")
