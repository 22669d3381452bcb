/** Synthetic qrels and runs for benchmarks (seeded; written streaming so 10-million-line runs fit). */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { mulberry32 } from "../util/random.js";

export interface SyntheticEvalOptions {
  queries: number;
  /** documents retrieved per query. */
  docs: number;
  /** judged documents per query (default 50, about a third relevant, grades 1..3). */
  judged?: number;
  seed: number;
}

async function writeChunked(ws: WriteStream, chunk: string): Promise<void> {
  if (!ws.write(chunk)) await once(ws, "drain");
}

async function close(ws: WriteStream): Promise<void> {
  ws.end();
  await once(ws, "finish");
}

/**
 * Writes `qrels.txt` and `run.txt` into dir; returns their paths and line counts. Each query's lines are
 * ordered by score descending (as retrieval systems write them), rank column 1..n.
 */
export async function writeSyntheticEvalData(
  dir: string,
  o: SyntheticEvalOptions,
): Promise<{ qrels: string; run: string; qrelsLines: number; runLines: number }> {
  const rand = mulberry32(o.seed);
  const judgedPerQuery = o.judged ?? 50;
  const pool = Math.max(o.docs * 2, 100);
  const qrelsPath = join(dir, "qrels.txt");
  const runPath = join(dir, "run.txt");
  const qw = createWriteStream(qrelsPath);
  const rw = createWriteStream(runPath);
  let qrelsLines = 0;
  let runLines = 0;
  for (let q = 0; q < o.queries; q++) {
    const qid = `q${q}`;
    const judged = new Map<number, number>();
    while (judged.size < judgedPerQuery) {
      const d = Math.floor(rand() * pool);
      if (!judged.has(d)) judged.set(d, rand() < 0.35 ? 1 + Math.floor(rand() * 3) : 0);
    }
    let qb = "";
    for (const [d, g] of judged) qb += `${qid} 0 D${d} ${g}\n`;
    qrelsLines += judged.size;
    await writeChunked(qw, qb);
    const start = Math.floor(rand() * pool);
    const docs: Array<{ d: number; score: number }> = [];
    for (let i = 0; i < o.docs; i++) {
      const d = (start + i * 7) % pool; // distinct documents within a query
      const boost = (judged.get(d) ?? 0) > 0 ? 2 : 0;
      docs.push({ d, score: Math.round((rand() * 10 + boost) * 1000) / 1000 }); // 3 decimals: ties happen
    }
    docs.sort((a, b) => b.score - a.score); // ranked like a real run; ties keep generation order (not trec_eval's)
    let rb = "";
    docs.forEach((x, i) => {
      rb += `${qid} Q0 D${x.d} ${i + 1} ${x.score} synth\n`;
    });
    runLines += o.docs;
    await writeChunked(rw, rb);
  }
  await close(qw);
  await close(rw);
  return { qrels: qrelsPath, run: runPath, qrelsLines, runLines };
}
