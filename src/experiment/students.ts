/**
 * The students of an experiment: each trained (or taken from the cache) as a stage keyed by its
 * settings, seed, the teacher, the bitext and, where the students start from an adapted teacher,
 * that model; several at a time in child processes (student-pool.ts), the longest first.
 */
import { mkdirSync } from "node:fs";
import { loadHfFolder } from "../models/hf.js";
import { readTokenVectorsFile } from "../train/encode-cache.js";
import { readStudentInputsFile, type StudentInputs } from "../train/student-inputs.js";
import { type ExperimentConfig, type LossName } from "./config.js";
import { studentStage } from "./models.js";
import { RECIPE, type Prepared } from "./pipeline.js";
import type { StudentSettings } from "./settings.js";
import { runScheduled, trainStudentInChild } from "./student-pool.js";
import { hashOf, type Logger, type StageRunner } from "./stages.js";

/** One student to train: its settings, seed and stage name. */
export interface StudentSpec {
  settings: StudentSettings;
  seed: number;
  stage: string;
}

export interface StudentModel {
  loss: LossName;
  seed: number;
  dir: string;
  hash: string;
  losses: number[];
  stats: Record<string, number>;
  settings: StudentSettings;
}

/** The stage name of a student of the experiment. */
export function studentStageName(loss: string, seed: number): string {
  return `student-${loss.replace("+", "_")}-seed${seed}`;
}

/** Work of the experiment's own process scheduled beside the student processes (see trainStudents). */
export interface BesideStudents {
  /** Queued from the start. */
  alongside?: () => Promise<void>;
  /** Queued when a student is trained. */
  afterEach?: (student: StudentModel) => Promise<void>;
}

/**
 * Trains (or takes from the cache) every student in `specs`, `config.workers` at a time, each in
 * its own process (in this process when workers is 1), the longest (most steps) first so that the
 * workers end close together. `beside` is work of this process that a worker slot takes once every
 * student has started (runScheduled): the slots that would idle while the last students finish.
 * Returns the students in the order of `specs`.
 */
export async function trainStudents(
  config: ExperimentConfig,
  prep: Prepared,
  specs: readonly StudentSpec[],
  stages: StageRunner,
  log: Logger,
  stopAfter?: number,
  beside: BesideStudents = {},
): Promise<StudentModel[]> {
  const teacherModel = config.workers === 1 ? await loadHfFolder(prep.teacher.dir) : null;
  const startModel =
    config.workers === 1 && prep.studentStart ? await loadHfFolder(prep.studentStart.dir) : undefined;
  let english: ReturnType<typeof readTokenVectorsFile> | null = null;
  let inputs: StudentInputs | undefined;
  const tasks = specs.map((spec) => async (): Promise<StudentModel> => {
    // a child process runs OpenBLAS on one thread: part of the key, as thread counts can change float results
    const key = hashOf(
      RECIPE,
      prep.teacher.hash,
      prep.bitextHash,
      spec.settings,
      spec.seed,
      config.threads,
      config.device,
      config.workers > 1,
      ...(prep.studentStart ? [prep.studentStart.hash] : []),
    );
    const r = await stages.run(spec.stage, key, async (dir) => {
      mkdirSync(dir, { recursive: true });
      if (teacherModel) {
        english ??= readTokenVectorsFile(prep.englishFile);
        if (prep.inputsFile) inputs ??= readStudentInputsFile(prep.inputsFile);
        return studentStage({
          settings: spec.settings,
          seed: spec.seed,
          teacher: teacherModel,
          pairs: prep.pairs,
          english,
          inputs,
          dir,
          log,
          stopAfter,
          start: startModel,
        });
      }
      const job = {
        settings: spec.settings,
        seed: spec.seed,
        teacherDir: prep.teacher.dir,
        ...(prep.studentStart ? { startDir: prep.studentStart.dir } : {}),
        pairsFile: prep.pairsFile,
        englishFile: prep.englishFile,
        inputsFile: prep.inputsFile,
        dir,
        threads: config.threads,
        device: config.device,
        stopAfter,
      };
      return trainStudentInChild(job, log);
    });
    return {
      loss: spec.settings.loss,
      seed: spec.seed,
      dir: r.dir,
      hash: r.hash,
      losses: r.losses,
      stats: r.stats ?? {},
      settings: spec.settings,
    };
  });
  // longest first (stable): with 2,000 OT and 1,000 contrastive steps, two OT students share one
  // worker and the third OT student the other with the contrastive ones
  const cost = (k: number): number => specs[k].settings.optim.steps * specs[k].settings.optim.batchSize;
  const order = specs.map((_, k) => k).sort((x, y) => cost(y) - cost(x) || x - y);
  const afterEach = beside.afterEach;
  const done = await runScheduled(
    order.map((k) => tasks[k]),
    config.workers,
    beside.alongside ? [beside.alongside] : [],
    afterEach ? (_i, student) => () => afterEach(student) : undefined,
  );
  const out: StudentModel[] = new Array(specs.length);
  order.forEach((k, i) => (out[k] = done[i]));
  return out;
}
