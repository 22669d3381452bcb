#!/usr/bin/python3
"""PyTorch reference throughput for `xlir bench encode --random-config` (same sizes, same forward as the
goldens' reference in make_tiny_models.py, float32, no autograd). Prints one JSON object per thread count.
    /usr/bin/python3 scripts/dev/hf_bench_torch.py --layers 12 --hidden 768 --heads 12 --ffn 3072 --seq 128 --texts 16 --batch 8
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_reference import forward, init_weights  # noqa: E402

ap = argparse.ArgumentParser()
for k, d in [("layers", 12), ("hidden", 768), ("heads", 12), ("ffn", 3072), ("vocab", 8000), ("seq", 128), ("texts", 16), ("batch", 8), ("repeats", 2)]:
    ap.add_argument(f"--{k}", type=int, default=d)
a = ap.parse_args()
cfg = {"model_type": "bert", "vocab_size": a.vocab, "hidden_size": a.hidden, "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
       "intermediate_size": a.ffn, "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
w = init_weights(cfg, 0, "")
ids = torch.randint(5, a.vocab, (a.texts, a.seq))
for threads in (1, 2):
    torch.set_num_threads(threads)
    with torch.no_grad():
        forward(cfg, w, ids[:a.batch], torch.ones(a.batch, a.seq, dtype=torch.long), torch.float32)  # warm-up
        times = []
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            for s in range(0, a.texts, a.batch):
                b = ids[s:s + a.batch]
                forward(cfg, w, b, torch.ones_like(b), torch.float32)
            times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
    print(json.dumps({"backend": "pytorch", "torch": torch.__version__, "threads": threads, "tokens": a.texts * a.seq,
                      "seconds_median": med, "tokens_per_s": a.texts * a.seq / med, "note": "forward only, tokenisation excluded"}))
