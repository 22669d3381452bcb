/**
 * Students trained side by side: each student stage runs in a child process of its own (libtorch
 * with `threads` intra-op threads, OpenBLAS single-threaded), at most `workers` at once. On a small
 * machine two single-thread students beat one student on two threads (libtorch's small kernels
 * scale poorly across threads; `xlir bench students` measures it). With `workers: 1` a student is
 * trained in this process, as before.
 *
 * Every child reads the same inputs from files written once: the bitext pairs (TSV) and the
 * teacher's token vectors of the distinct English sentences (src/train/encode-cache.ts format),
 * so a student trained in a child equals one trained in-process (same data, order, seed, threads).
 */
import { fork } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../data/atomic.js";
import { withMallocTunables } from "../engine/index.js";
import { ERROR_CODES, XlirError, type ErrorCode } from "../errors.js";
import type { DistillPair } from "../train/distill.js";
import type { TrainedModel } from "./models.js";
import type { StudentSettings } from "./settings.js";
import type { Logger } from "./stages.js";

/** What a child process needs to train one student (written as JSON next to the stage). */
export interface StudentJob {
  settings: StudentSettings;
  seed: number;
  teacherDir: string;
  /** The model a student that starts from the teacher starts from instead (the adapt stage's). */
  startDir?: string;
  /** TSV foreign<TAB>english<TAB>englishIndex, one pair a line. */
  pairsFile: string;
  /** Teacher token vectors of the distinct English sentences (indexed by englishIndex). */
  englishFile: string;
  /** Foreign lengths and IDF weights computed once (src/train/student-inputs.ts), when there are. */
  inputsFile?: string;
  dir: string;
  threads: number;
  /** cpu, cuda or cuda:N. */
  device: string;
  stopAfter?: number;
}

/** What the child computing the students' inputs needs (src/experiment/inputs-worker.ts). */
export interface InputsJob {
  /** The bitext pairs in the file the student processes read (writePairsFile's format). */
  pairsFile: string;
  /** The tokenizer.json of the students (the teacher's). */
  tokenizer: string;
  maxLength: number;
  /** Where the inputs are written (atomically). */
  out: string;
}

/** Messages from the child. */
export type WorkerMessage<T = TrainedModel> =
  | { type: "log"; message: string }
  | { type: "done"; result: T }
  | { type: "error"; code: ErrorCode | null; message: string; stack?: string };

/**
 * The body of a worker child (student-worker.ts, inputs-worker.ts): `main` gets a `send` for log
 * lines; its result goes to the parent as `done`, a failure as `error` (with the XlirError code),
 * and the channel is closed either way.
 */
export function runWorkerMain<T>(main: (send: (m: WorkerMessage<T>) => Promise<void>) => Promise<T>): void {
  const send = (m: WorkerMessage<T>): Promise<void> =>
    new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
  main(send)
    .then((result) => send({ type: "done", result }))
    .catch(async (err: unknown) => {
      const e = err as Error;
      await send({
        type: "error",
        code: err instanceof XlirError ? err.code : null,
        message: e.message,
        stack: e.stack,
      });
    })
    .finally(() => process.disconnect?.());
}

/** Writes the pairs in the TSV the children read (tabs and newlines inside texts become spaces). */
export async function writePairsFile(file: string, pairs: readonly DistillPair[]): Promise<void> {
  await writeFileAtomic(file, pairsTsv(pairs));
}

/**
 * A text as a pairs file holds it: runs of tabs and line breaks become one space. The pipeline
 * applies it to every pair before any student sees them, so that a student trained in this process
 * (`workers: 1`) reads the same texts as one trained in a child from the pairs file.
 */
export function pairsFileText(s: string): string {
  return s.replace(/[\t\r\n]+/g, " ");
}

/** The text of a pairs file (see writePairsFile). */
export function pairsTsv(pairs: readonly DistillPair[]): string {
  const clean = pairsFileText;
  return pairs.map((p) => `${clean(p.foreign)}\t${clean(p.english)}\t${p.englishIndex}`).join("\n") + "\n";
}

/** Reads a pairs file written by `writePairsFile`. */
export function readPairsFile(file: string): DistillPair[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: DistillPair[] = [];
  lines.forEach((line, i) => {
    if (line === "") return;
    const cols = line.split("\t");
    const englishIndex = Number(cols[2]);
    if (cols.length !== 3 || !Number.isInteger(englishIndex) || englishIndex < 0) {
      throw new XlirError("CORRUPT", `${file}:${i + 1}: expected foreign<TAB>english<TAB>englishIndex`);
    }
    out.push({ foreign: cols[0], english: cols[1], englishIndex });
  });
  return out;
}

function workerEntry(name: "student-worker" | "inputs-worker"): { script: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ts = here.endsWith(".ts");
  const script = join(dirname(here), ts ? `${name}.ts` : `${name}.js`);
  if (!ts) return { script, execArgv: [] };
  // running from the TypeScript sources (bin/xlir, tests): the child needs tsx's loader too
  const require = createRequire(import.meta.url);
  const loader = join(dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
  if (!existsSync(loader))
    throw new XlirError("NATIVE_MISSING", `cannot start a student process: ${loader} not found (run npm ci)`);
  return { script, execArgv: ["--import", loader] };
}

/** Trains one student in a child process; resolves with its result, rejects with its error. */
export async function trainStudentInChild(job: StudentJob, log: Logger): Promise<TrainedModel> {
  const jobFile = join(job.dir, "job.json");
  await writeFileAtomic(jobFile, JSON.stringify(job));
  return runWorker<TrainedModel>("student-worker", jobFile, Number(job.threads), log, {
    failed: "student process failed",
    exited: `student process for ${job.settings.loss} seed ${job.seed}`,
  });
}

/**
 * Computes the students' inputs in a child process from a job file already written. The child
 * starts before this returns, so it runs even while this process is busy (the teacher's training
 * blocks its event loop); the promise settles when the child ends.
 */
export function computeStudentInputsInChild(jobFile: string, log: Logger): Promise<{ seconds: number }> {
  return runWorker<{ seconds: number }>("inputs-worker", jobFile, 1, log, {
    failed: "student-inputs process failed",
    exited: "student-inputs process",
  });
}

/** Starts a worker child on `jobFile` at once; settles with its `done` result or its error. */
function runWorker<T>(
  name: "student-worker" | "inputs-worker",
  jobFile: string,
  threads: number,
  log: Logger,
  words: { failed: string; exited: string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const { script, execArgv } = workerEntry(name);
    const child = fork(script, [jobFile], {
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // huge-page malloc: faster steps, the same weights (src/engine/malloc-env.ts)
      env: withMallocTunables({
        ...process.env,
        OPENBLAS_NUM_THREADS: "1",
        OMP_NUM_THREADS: String(threads),
      }),
    });
    let settled = false;
    child.on("message", (m: WorkerMessage<T>) => {
      if (m.type === "log") log(m.message);
      else if (m.type === "done") {
        settled = true;
        resolve(m.result);
      } else if (m.type === "error") {
        settled = true;
        const code = m.code && m.code in ERROR_CODES ? m.code : "INTERNAL";
        reject(new XlirError(code, m.code ? m.message : `${words.failed}: ${m.message}\n${m.stack ?? ""}`));
      }
    });
    child.on("error", (err) => {
      if (!settled) reject(new XlirError("INTERNAL", `cannot start a ${name} process (${err.message})`));
      settled = true;
    });
    child.on("exit", (code, signal) => {
      if (!settled)
        reject(
          new XlirError(
            "INTERRUPTED",
            `${words.exited} exited (${signal ?? `status ${code}`}) before finishing; run again to resume`,
          ),
        );
      settled = true;
    });
  });
}

/**
 * Runs `tasks` at most `limit` at a time, and beside them work of this process: `queued` from the
 * start, and what `follow(i, result)` returns when task i ends. A free slot takes the next task
 * while any is left, else the oldest queued work, else waits for a task to end. So the queued work
 * fills the slots that would idle while the last tasks finish. Resolves with the tasks' results in
 * order; the first failure is re-thrown after everything started has settled.
 */
export async function runScheduled<T>(
  tasks: Array<() => Promise<T>>,
  limit: number,
  queued: Array<() => Promise<void>> = [],
  follow?: (i: number, result: T) => (() => Promise<void>) | null,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  const queue = [...queued];
  const waiting: Array<() => void> = [];
  let next = 0;
  let running = 0;
  let failure: unknown = null;
  const notify = (): void => {
    for (const wake of waiting.splice(0)) wake();
  };
  const slot = async (): Promise<void> => {
    while (failure === null) {
      if (next < tasks.length) {
        const i = next++;
        running++;
        try {
          results[i] = await tasks[i]();
          const after = follow?.(i, results[i]);
          if (after) queue.push(after);
        } catch (err) {
          failure ??= err;
        } finally {
          running--;
          notify();
        }
        continue;
      }
      const work = queue.shift();
      if (work) {
        try {
          await work();
        } catch (err) {
          failure ??= err;
        }
        continue;
      }
      if (running === 0) return;
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, slot));
  if (failure !== null) throw failure;
  return results;
}
