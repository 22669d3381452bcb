/**
 * Child-process entry point of one student stage (see student-pool.ts): reads the job file named
 * on the command line, trains the student, and reports log lines and the result over IPC.
 */
import { readFileSync } from "node:fs";
import { setDevice, setThreads } from "../engine/index.js";
import { XlirError } from "../errors.js";
import { loadHfFolder } from "../models/hf.js";
import { readTokenVectorsFile } from "../train/encode-cache.js";
import { readStudentInputsFile } from "../train/student-inputs.js";
import { studentStage } from "./models.js";
import { readPairsFile, type StudentJob, type WorkerMessage } from "./student-pool.js";

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as StudentJob;
  setThreads({ torch: job.threads });
  setDevice(job.device, "device");
  const teacher = await loadHfFolder(job.teacherDir);
  const result = await studentStage({
    settings: job.settings,
    seed: job.seed,
    teacher,
    pairs: readPairsFile(job.pairsFile),
    english: readTokenVectorsFile(job.englishFile),
    inputs: job.inputsFile ? readStudentInputsFile(job.inputsFile) : undefined,
    dir: job.dir,
    log: (message) => void send({ type: "log", message }),
    stopAfter: job.stopAfter,
    lineProgress: true,
  });
  await send({ type: "done", result });
}

main()
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
