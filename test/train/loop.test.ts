/**
 * Resume exactness: a run stopped after k updates and continued from its checkpoint by a fresh
 * model + optimizer ends with the same parameters and losses (within 1e-6) as an uninterrupted run,
 * with dropout, gradient accumulation, clipping and a warm-up schedule all on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { liveTensors, tensor, type Tensor } from "../../src/engine/index.js";
import { TorchEncoder } from "../../src/models/torch-encoder.js";
import type { EncoderConfig } from "../../src/models/types.js";
import {
  createAdamW,
  SeededShuffler,
  trainLoop,
  warmupLinearSchedule,
  type TrainLoopOptions,
} from "../../src/train/index.js";
import { Mulberry32 } from "../../src/util/random.js";

const config: EncoderConfig = {
  architecture: "xlm-roberta",
  vocabSize: 50,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 20,
  typeVocabSize: 1,
  layerNormEps: 1e-5,
  padTokenId: 1,
  hiddenAct: "gelu",
  positionOffset: 2,
};
const B = 4;
const L = 6;
const N = 10; // examples
// fixed random dataset of (ids, target) pairs
const rng = new Mulberry32(99);
const data = Array.from({ length: N }, () =>
  Int32Array.from({ length: L }, (_, i) => (i === 0 ? 0 : 3 + rng.int(47))),
);
const dir = mkdtempSync(join(tmpdir(), "xlir-loop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Batch = { ids: Int32Array; mask: Int32Array };

function setup(initSeed: number, ckpt?: string): { enc: TorchEncoder; opts: TrainLoopOptions<Batch> } {
  const enc = TorchEncoder.random(config, { kind: "colbert", dim: 8, pooling: "cls" }, initSeed).train();
  const shuffler = new SeededShuffler(N, 7);
  const optimizer = createAdamW(enc.namedParameters(), { lr: 1e-3 });
  const opts: TrainLoopOptions<Batch> = {
    steps: 6,
    params: enc.namedParameters(),
    optimizer,
    seed: 42,
    config: { model: config, lr: 1e-3 },
    accumulate: 2,
    clipNorm: 0.5,
    schedule: warmupLinearSchedule({ peakLr: 1e-2, warmupSteps: 2, totalSteps: 6 }),
    batches: (i) => {
      const idx = shuffler.batch(i, B);
      const ids = new Int32Array(B * L);
      idx.forEach((e, b) => ids.set(data[e], b * L));
      return { ids, mask: new Int32Array(B * L).fill(1) };
    },
    stepFn: (b) => {
      // a contrastive loss: each text's mean vector should match its own (shifted) copy
      const v = enc.tokenVectors(b.ids, b.mask, B, L).mean(1); // [B, dim]
      const s = v.matmul(v.transpose(0, 1)).mul(20); // [B, B]
      return s
        .logSoftmax(1)
        .mul(
          tensor(
            new Float32Array(B * B).map((_, i) => (i % (B + 1) === 0 ? -1 : 0)),
            [B, B],
          ),
        )
        .sum()
        .div(B);
    },
    checkpointPath: ckpt,
    checkpointEvery: 3,
  };
  return { enc, opts };
}

function flat(ps: [string, Tensor][]): Float32Array[] {
  return ps.map(([, p]) => p.toFloat32());
}

describe.skipIf(NO_TORCH)(torchSuite("trainLoop resume"), () => {
  it("stop at 3, resume from the checkpoint: same parameters and losses as 6 uninterrupted updates (1e-6)", () => {
    const live = liveTensors();
    const full = setup(1);
    const ref = trainLoop(full.opts);
    expect(ref.losses).toHaveLength(6);
    expect(ref.resumedFrom).toBeNull();
    const refParams = flat(full.enc.namedParameters());

    const ckpt = join(dir, "run.ckpt");
    const first = setup(1, ckpt);
    const part = trainLoop({ ...first.opts, stopAfter: 3 });
    expect(part.step).toBe(3);
    first.enc.free();
    first.opts.optimizer.free();

    const second = setup(123, ckpt); // different init: everything must come from the checkpoint
    const rest = trainLoop(second.opts);
    expect(rest.resumedFrom).toBe(3);
    expect(rest.step).toBe(6);
    for (let i = 0; i < 6; i++) expect(Math.abs(rest.losses[i] - ref.losses[i])).toBeLessThan(1e-6);
    const got = flat(second.enc.namedParameters());
    let maxDiff = 0;
    got.forEach((g, j) => g.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - refParams[j][k])))));
    expect(maxDiff).toBeLessThan(1e-6);
    // and training moved the parameters
    const init = setup(1);
    const moved = flat(init.enc.namedParameters()).some((a, j) =>
      a.some((v, k) => Math.abs(v - refParams[j][k]) > 1e-4),
    );
    expect(moved).toBe(true);
    for (const x of [full, second, init]) {
      x.enc.free();
      x.opts.optimizer.free();
    }
    expect(liveTensors()).toBe(live);
  });

  it("refuses a damaged checkpoint (CORRUPT) and one from another config (MISMATCH)", () => {
    const ckpt = join(dir, "bad.ckpt");
    const a = setup(1, ckpt);
    trainLoop({ ...a.opts, stopAfter: 3 });
    const bytes = readFileSync(ckpt);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(join(dir, "flipped.ckpt"), bytes);
    const b = setup(1, join(dir, "flipped.ckpt"));
    expect(() => trainLoop(b.opts)).toThrow(/checksum mismatch/);
    writeFileSync(join(dir, "cut.ckpt"), bytes.subarray(0, 1000));
    const c = setup(1, join(dir, "cut.ckpt"));
    expect(() => trainLoop(c.opts)).toThrow(expect.objectContaining({ code: "CORRUPT" }));
    const d = setup(1, ckpt);
    expect(() => trainLoop({ ...d.opts, config: { model: config, lr: 2e-3 } })).toThrow(
      expect.objectContaining({ code: "MISMATCH" }),
    );
    for (const x of [a, b, c, d]) {
      x.enc.free();
      x.opts.optimizer.free();
    }
  });
});
