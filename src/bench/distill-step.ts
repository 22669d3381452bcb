/**
 * What a loss adds to a distillation step: forward of a small random student (ColBERT head),
 * loss against fixed teacher token vectors, backward, AdamW; timed per registered loss.
 */
import { manualSeed, randn, tensor, tidy, type Tensor } from "../engine/index.js";
import { TorchEncoder } from "../models/torch-encoder.js";
import { createAdamW } from "../train/optimizer.js";
import { XorShift32 } from "../util/random.js";
import { median } from "../util/stats.js";
import { getLoss } from "../losses/registry.js";
import type { DistillBatch } from "../losses/types.js";
import { benchEncoderConfig, type BenchShape } from "../train/bench.js";

export interface DistillStepBenchOptions extends BenchShape {
  dim: number;
  warmup: number;
  losses: string[];
  lossOptions: Record<string, Record<string, unknown>>;
}

export interface DistillStepBenchResult {
  step_ms_median: Record<string, number>;
  /** The loss function alone (forward; for ot: the batched Sinkhorn solve included). */
  loss_forward_ms_median: Record<string, number>;
  /** loss forward + the whole backward pass (which includes the encoder's). */
  loss_and_backward_ms_median: Record<string, number>;
  stats: Record<string, Record<string, number>>;
  /** step(loss) / step(contrastive) - 1 for every loss. */
  overhead_vs_contrastive: Record<string, number>;
}

/** Times `steps` full student steps for each loss on the same batch (lengths uniform in [seq/4, seq]). */
export function benchDistillStep(o: DistillStepBenchOptions): DistillStepBenchResult {
  const config = benchEncoderConfig(o);
  const rng = new XorShift32(1);
  const B = o.batch;
  const L = o.seq;
  const lengths = (): number[] => Array.from({ length: B }, () => rng.int(Math.max(1, Math.floor(L / 4)), L));
  const maskOf = (lens: number[]): Int32Array => {
    const m = new Int32Array(B * L);
    lens.forEach((len, b) => m.fill(1, b * L, b * L + len));
    return m;
  };
  const ids = Int32Array.from({ length: B * L }, () => rng.int(1, o.vocab - 1));
  const sMask = maskOf(lengths());
  const tMask = maskOf(lengths());
  const eMask = maskOf(lengths());
  const idsE = Int32Array.from({ length: B * L }, () => rng.int(1, o.vocab - 1));
  manualSeed(0);
  const teacher = tidy(() => randn([B, L, o.dim]).normalize(-1)); // [B, L, dim] frozen
  const result: DistillStepBenchResult = {
    step_ms_median: {},
    loss_forward_ms_median: {},
    loss_and_backward_ms_median: {},
    stats: {},
    overhead_vs_contrastive: {},
  };
  // One student per loss; steps interleaved round-robin so that load changes hit every loss alike.
  const runs = o.losses.map((name) => {
    const options = o.lossOptions[name] ?? {};
    const enc = TorchEncoder.random(config, { kind: "colbert", dim: o.dim, pooling: "cls" }, 0).train();
    return {
      name,
      spec: getLoss(name),
      options,
      enc,
      opt: createAdamW(enc.namedParameters(), { lr: 1e-4 }),
      needsEnglish: name === "mse" || Number(options.anchor ?? 0) > 0,
      stepTimes: [] as number[],
      lossTimes: [] as number[],
      fwdTimes: [] as number[],
      stats: {} as Record<string, number>,
    };
  });
  for (let s = 0; s < o.warmup + o.steps; s++) {
    for (const r of runs) {
      const t0 = performance.now();
      let lossMs = 0;
      let fwdMs = 0;
      tidy(() => {
        const student: Tensor = r.enc.tokenVectors(ids, sMask, B, L); // [B, L, dim]
        const batch: DistillBatch = {
          student,
          studentMask: tensor(sMask, [B, L], "float32"),
          teacher,
          teacherMask: tensor(tMask, [B, L], "float32"),
        };
        if (r.needsEnglish) {
          batch.studentEnglish = r.enc.tokenVectors(idsE, eMask, B, L); // [B, L, dim]
          batch.studentEnglishMask = tensor(eMask, [B, L], "float32");
        }
        const l0 = performance.now();
        const out = r.spec.compute(batch, r.options);
        fwdMs = performance.now() - l0;
        out.loss.backward();
        lossMs = performance.now() - l0; // loss forward + full backward
        r.stats = out.stats;
      });
      r.opt.step();
      r.opt.zeroGrad();
      if (s >= o.warmup) {
        r.stepTimes.push(performance.now() - t0);
        r.lossTimes.push(lossMs);
        r.fwdTimes.push(fwdMs);
      }
    }
  }
  for (const r of runs) {
    r.opt.free();
    r.enc.free();
    result.step_ms_median[r.name] = Math.round(median(r.stepTimes) * 100) / 100;
    result.loss_forward_ms_median[r.name] = Math.round(median(r.fwdTimes) * 100) / 100;
    result.loss_and_backward_ms_median[r.name] = Math.round(median(r.lossTimes) * 100) / 100;
    result.stats[r.name] = r.stats;
  }
  teacher.free();
  const base = result.step_ms_median.contrastive;
  if (base !== undefined)
    for (const [k, v] of Object.entries(result.step_ms_median))
      result.overhead_vs_contrastive[k] = Math.round((v / base - 1) * 1000) / 1000;
  return result;
}
