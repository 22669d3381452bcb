/**
 * Streaming-read benchmark of the JSONL corpus reader: generates a synthetic corpus of N lines
 * (ids, titles and ~200-byte texts with multi-byte characters, quotes and escaped tabs), then
 * reads it with `readCorpus` in a child process, which reports its wall time and peak RSS
 * (`process.resourceUsage().maxRSS`). A child per size keeps generation out of the memory figure.
 * Each size is read twice: duplicates "unchecked" (constant memory) and "error" (the default,
 * which remembers every id, so memory grows by the id set); the largest size is read once more
 * with the child's V8 old space capped (default 32 MB): finishing shows the heap stays bounded.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCorpus } from "./corpus.js";
import type { DuplicatePolicy } from "./io.js";

const WORDS = [
  "retrieval",
  "Übersetzung",
  "dokumentu",
  "ሰነድ",
  "ឯកសារ",
  'query "quoted"',
  "tab\there",
  "naïve",
  "índice",
  "mfano",
];

/** Writes `lines` synthetic JSONL documents to `file` (deterministic, seed-free: line i is a function of i). */
export async function writeSyntheticCorpus(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < lines; i++) {
    const words: string[] = [];
    for (let k = 0; k < 24; k++) words.push(WORDS[(i * 7 + k * 13) % WORDS.length]);
    const line = JSON.stringify({ _id: `doc${i}`, title: `Title ${i}`, text: words.join(" ") }) + "\n";
    if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

export interface ReadStats {
  lines: number;
  duplicates: DuplicatePolicy;
  /** `--max-old-space-size` of the reading child in MB, when capped (proves the reader runs in bounded heap). */
  heapCapMb?: number;
  docs: number;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  peakRssMb: number;
}

/** Reads a corpus in this process and returns counts and timing (peak RSS of this process). */
export async function readCorpusStats(
  file: string,
  duplicates: DuplicatePolicy,
): Promise<Omit<ReadStats, "lines" | "duplicates">> {
  const bytes = statSync(file).size;
  const t0 = process.hrtime.bigint();
  let docs = 0;
  let chars = 0;
  for await (const d of readCorpus(file, { duplicates })) {
    docs++;
    chars += d.text.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  void chars;
  return {
    docs,
    bytes,
    seconds,
    mbPerSecond: bytes / 1e6 / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Generates and reads corpora of the given sizes, each read in a fresh child process. */
export async function benchCorpus(
  sizes: number[],
  heapCapMb = 32,
): Promise<{ runs: ReadStats[]; node: string }> {
  const dir = mkdtempSync(join(tmpdir(), "xlir-bench-corpus-"));
  const runs: ReadStats[] = [];
  try {
    for (const lines of sizes) {
      const file = join(dir, `corpus-${lines}.jsonl`);
      await writeSyntheticCorpus(file, lines);
      const modes: Array<[DuplicatePolicy, number | undefined]> = [
        ["unchecked", undefined],
        ["error", undefined],
      ];
      if (lines === Math.max(...sizes)) modes.push(["unchecked", heapCapMb]);
      for (const [duplicates, cap] of modes) {
        const args = [
          ...(cap ? [`--max-old-space-size=${cap}`] : []),
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          "--read",
          file,
          duplicates,
        ];
        const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
        if (r.status !== 0) throw new Error(`corpus reader child failed: ${r.stderr}`);
        const stats = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<
          ReadStats,
          "lines" | "duplicates"
        >;
        runs.push({ lines, duplicates, ...(cap ? { heapCapMb: cap } : {}), ...stats });
      }
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { runs, node: process.version };
}

if (process.argv[2] === "--read" && process.argv[1] === fileURLToPath(import.meta.url)) {
  readCorpusStats(process.argv[3], process.argv[4] as DuplicatePolicy).then((s) =>
    process.stdout.write(JSON.stringify(s) + "\n"),
  );
}
