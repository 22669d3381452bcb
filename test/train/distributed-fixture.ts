/**
 * A tiny data-parallel training run shared by test/train/distributed.test.ts (in process, one rank)
 * and test/train/distributed-rank.ts (one child process per rank): a random 2-layer encoder
 * distilled with the registered MSE loss towards fixed random "teacher" token vectors, on
 * variable-length texts (each shard pads to its own longest text), with gradient accumulation,
 * clipping and a warm-up schedule.
 */
import { tensor, type ProcessGroup } from "../../src/engine/index.js";
import type { ParamDType } from "../../src/models/torch-weights.js";
import { getLoss } from "../../src/losses/registry.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { EncoderConfig } from "../../src/models/types.js";
import {
  createAdamW,
  rankSlice,
  SeededShuffler,
  trainLoop,
  warmupLinearSchedule,
  type TrainResult,
} from "../../src/train/index.js";
import { Mulberry32 } from "../../src/util/random.js";

export interface FixtureOptions {
  steps: number;
  /** Global batch (a multiple of the world size). */
  batch: number;
  accumulate: number;
  dtype: ParamDType;
  dropout: number;
  checkpointPath?: string;
  stopAfter?: number;
  /** Fault injection on one rank at one update: die (SIGKILL) or stall for `hangMs` inside the step. */
  killRank?: number;
  killAt?: number;
  hangRank?: number;
  hangAt?: number;
  hangMs?: number;
}

export interface FixtureResult {
  losses: number[];
  step: number;
  resumedFrom: number | null;
  params: number[][];
}

const config: EncoderConfig = {
  architecture: "xlm-roberta",
  vocabSize: 60,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 24,
  typeVocabSize: 1,
  layerNormEps: 1e-5,
  padTokenId: 1,
  hiddenAct: "gelu",
  positionOffset: 2,
};
const DIM = 8;
const N = 24;
const rng = new Mulberry32(2024);
/** Example k: token ids (length 3..9, first token 0) and teacher vectors (length 2..6, DIM each). */
const texts = Array.from({ length: N }, () =>
  Int32Array.from({ length: 3 + rng.int(7) }, (_, i) => (i === 0 ? 0 : 3 + rng.int(57))),
);
const teacher = Array.from({ length: N }, () =>
  Float32Array.from({ length: (2 + rng.int(5)) * DIM }, () => rng.next() * 2 - 1),
);

/** Pads examples `items` into [b, L] ids/mask and [b, n, DIM] teacher vectors/mask. */
function batchOf(items: number[], dtype: ParamDType) {
  const b = items.length;
  const L = Math.max(...items.map((k) => texts[k].length));
  const n = Math.max(...items.map((k) => teacher[k].length / DIM));
  const ids = new Int32Array(b * L).fill(config.padTokenId);
  const mask = new Int32Array(b * L);
  const tv = new Float32Array(b * n * DIM);
  const tm = new Float32Array(b * n);
  items.forEach((k, r) => {
    ids.set(texts[k], r * L);
    mask.fill(1, r * L, r * L + texts[k].length);
    tv.set(teacher[k], r * n * DIM);
    tm.fill(1, r * n, r * n + teacher[k].length / DIM);
  });
  return { b, L, n, ids, mask, tv, tm, dtype };
}

/** Runs the fixture (one process, or this rank of `group`); returns losses and final parameters. */
export function runFixture(o: FixtureOptions, group?: ProcessGroup): FixtureResult {
  const enc = TorchEncoder.random(config, { kind: "colbert", dim: DIM, pooling: "cls" }, 5, {
    dtype: o.dtype,
    dropout: o.dropout,
  }).train();
  const shuffler = new SeededShuffler(N, 11);
  const optimizer = createAdamW(enc.namedParameters(), { lr: 1e-2 });
  const mse = getLoss("mse");
  const rank = group?.rank ?? 0;
  let result: TrainResult;
  try {
    result = trainLoop<number[]>({
      steps: o.steps,
      params: enc.namedParameters(),
      optimizer,
      seed: 3,
      config: { fixture: "distributed", batch: o.batch, dtype: o.dtype, dropout: o.dropout },
      accumulate: o.accumulate,
      clipNorm: 1,
      schedule: warmupLinearSchedule({ peakLr: 1e-2, warmupSteps: 2, totalSteps: o.steps }),
      batches: (i) => shuffler.batch(i, o.batch),
      stepFn: (items, t) => {
        const x = batchOf(items, o.dtype);
        const F = enc.tokenVectors(x.ids, x.mask, x.b, x.L); // [b, L, DIM]
        if (rank === o.killRank && t === o.killAt) process.kill(process.pid, "SIGKILL");
        if (rank === o.hangRank && t === o.hangAt)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, o.hangMs ?? 60_000);
        return mse.compute(
          {
            student: F,
            studentMask: tensor(x.mask, [x.b, x.L], "float32"),
            teacher: tensor(x.tv, [x.b, x.n, DIM], o.dtype),
            teacherMask: tensor(x.tm, [x.b, x.n], "float32"),
          },
          { englishTerm: false },
        ).loss;
      },
      checkpointPath: o.checkpointPath,
      checkpointEvery: 1,
      stopAfter: o.stopAfter,
      distributed: group && { group, shard: rankSlice },
    });
    return { ...result, params: enc.namedParameters().map(([, p]) => Array.from(p.toFloat64())) };
  } finally {
    optimizer.free();
    enc.free();
  }
}
