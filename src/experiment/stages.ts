/**
 * Stages cached by the hash of their inputs. Each stage owns DIR/stages/<name>/; its `stage.json`
 * is written last (atomically) with the input hash and a JSON result. A re-run with the same hash
 * skips the stage; a different hash clears the folder and runs it again; a folder without a
 * finished stage.json (an interrupted run) is handed back to the stage so that it can resume from
 * its own checkpoints. `hashOf` makes those input hashes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/atomic.js";
import { XlirError } from "../errors.js";
import { canonicalJson } from "../train/checkpoint.js";

export interface StageRecord<T> {
  name: string;
  hash: string;
  done: boolean;
  seconds: number;
  result: T;
}

export interface StageTiming {
  name: string;
  seconds: number;
  cached: boolean;
}

export type Logger = (message: string) => void;

/**
 * Runs named stages under DIR/stages/<name>/, each skipped when it finished with the same input hash.
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { StageRunner } from "xlir";
 * const dir = mkdtempSync(join(tmpdir(), "xlir-ex-"));
 * const log: string[] = [];
 * const stages = new StageRunner(dir, (m) => log.push(m));
 * let calls = 0;
 * const square = (x: number) => async () => (calls++, x * x);
 * console.assert((await stages.run("square", "h1", square(3))) === 9);
 * // same inputs: the recorded result, without running again
 * console.assert((await new StageRunner(dir, (m) => log.push(m)).run("square", "h1", square(3))) === 9 && calls === 1);
 * console.assert(log.includes("[square] cached (h1)"));
 * // other inputs: run again
 * console.assert((await stages.run("square", "h2", square(4))) === 16 && calls === 2);
 * console.assert(stages.timings.map((t) => t.cached).join() === "false,false");
 * rmSync(dir, { recursive: true, force: true });
 * ```
 */
export class StageRunner {
  readonly timings: StageTiming[] = [];
  constructor(
    readonly outDir: string,
    private readonly log: Logger,
  ) {}

  stageDir(name: string): string {
    return join(this.outDir, "stages", name);
  }

  /**
   * Runs `fn` unless a finished stage with the same input hash exists; returns its JSON result.
   * `opts.seconds` gives the stage's own time from its result (work done in a child process that
   * this process may take up late); by default the time from start to result.
   */
  async run<T>(
    name: string,
    hash: string,
    fn: (dir: string) => Promise<T>,
    opts: { seconds?: (result: T) => number } = {},
  ): Promise<T> {
    const dir = this.stageDir(name);
    const recordPath = join(dir, "stage.json");
    if (existsSync(recordPath)) {
      const record = readRecord<T>(recordPath);
      if (record.done && record.hash === hash) {
        this.log(`[${name}] cached (${hash})`);
        this.timings.push({ name, seconds: 0, cached: true });
        return record.result;
      }
    }
    const marker = join(dir, "inputs.json");
    if (existsSync(marker)) {
      const previous = (JSON.parse(readFileSync(marker, "utf8")) as { hash: string }).hash;
      if (previous !== hash) {
        this.log(`[${name}] inputs changed (${previous} -> ${hash}): starting over`);
        rmSync(dir, { recursive: true, force: true });
      } else {
        this.log(`[${name}] resuming an interrupted run`);
      }
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, JSON.stringify({ name, hash }) + "\n");
    const started = performance.now();
    this.log(`[${name}] started`);
    const result = await fn(dir);
    const seconds = opts.seconds?.(result) ?? (performance.now() - started) / 1000;
    await writeFileAtomic(
      recordPath,
      JSON.stringify({ name, hash, done: true, seconds, result } satisfies StageRecord<T>, null, 1),
    );
    this.timings.push({ name, seconds, cached: false });
    this.log(`[${name}] done in ${seconds.toFixed(1)} s`);
    return result;
  }
}

function readRecord<T>(path: string): StageRecord<T> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as StageRecord<T>;
  } catch (err) {
    throw new XlirError(
      "CORRUPT",
      `${path}: unreadable stage record (${(err as Error).message}); delete the stage folder to rebuild it`,
    );
  }
}

/**
 * sha256 of the canonical JSON of the arguments, hex, first 16 characters.
 * @example
 * ```ts
 * import { hashOf } from "xlir";
 * const h = hashOf({ lr: 0.001, steps: 10 }, "ot");
 * console.assert(/^[0-9a-f]{16}$/.test(h));
 * // key order does not matter, values and argument boundaries do
 * console.assert(h === hashOf({ steps: 10, lr: 0.001 }, "ot"));
 * console.assert(h !== hashOf({ lr: 0.001, steps: 11 }, "ot") && hashOf("ab", "c") !== hashOf("a", "bc"));
 * ```
 */
export function hashOf(...parts: unknown[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(canonicalJson(p)).update("\u0000");
  return h.digest("hex").slice(0, 16);
}
