/**
 * Child-process entry point of the `student-inputs` stage (see pipeline.ts): reads the job file
 * named on the command line, tokenises the bitext once for every student (foreign lengths, IDF
 * weights of both sides) and writes the inputs file; reports over IPC like student-worker.ts.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../data/atomic.js";
import { TextTokenizer } from "../text/tokenizer.js";
import { computeStudentInputs, serializeStudentInputs } from "../train/student-inputs.js";
import { readPairsFile, runWorkerMain, type InputsJob } from "./student-pool.js";

runWorkerMain<{ seconds: number }>(async (send) => {
  const started = performance.now();
  const job = JSON.parse(readFileSync(process.argv[2], "utf8")) as InputsJob;
  const pairs = readPairsFile(job.pairsFile);
  const english: string[] = [];
  for (const p of pairs) english[p.englishIndex] = p.english;
  const tokenizer = await TextTokenizer.fromFile(job.tokenizer);
  const inputs = computeStudentInputs(
    pairs.map((p) => p.foreign),
    english,
    tokenizer,
    tokenizer,
    job.maxLength,
  );
  await writeFileAtomic(job.out, serializeStudentInputs(inputs));
  const seconds = (performance.now() - started) / 1000;
  await send({
    type: "log",
    message: `[student-inputs] ${pairs.length} foreign sides and ${english.length} English sentences tokenised in ${seconds.toFixed(1)} s`,
  });
  return { seconds };
});
