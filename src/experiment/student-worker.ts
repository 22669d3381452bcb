/**
 * Child-process entry point of one student stage (see student-pool.ts): reads the job file named
 * on the command line, trains the student, and reports log lines and the result over IPC.
 */
import { readFileSync } from "node:fs";
import { setDevice, setThreads } from "../engine/index.js";
import { loadHfFolder } from "../models/hf.js";
import { readTokenVectorsFile } from "../train/encode-cache.js";
import { readStudentInputsFile } from "../train/student-inputs.js";
import { studentStage, type TrainedModel } from "./models.js";
import { readPairsFile, runWorkerMain, type StudentJob } from "./student-pool.js";

runWorkerMain<TrainedModel>(async (send) => {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as StudentJob;
  setThreads({ torch: job.threads });
  setDevice(job.device, "device");
  const teacher = await loadHfFolder(job.teacherDir);
  return studentStage({
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
    start: job.startDir ? await loadHfFolder(job.startDir) : undefined,
  });
});
