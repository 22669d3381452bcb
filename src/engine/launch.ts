/**
 * Local launcher for data-parallel runs (`--nproc N`): starts N copies of a Node command as ranks
 * 0..N-1 on loopback with the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR =
 * 127.0.0.1, MASTER_PORT = a free port), passes rank 0's stdout through untouched and every other
 * line of output to stderr prefixed `[rank r]`. When a rank fails, the others get `graceMs` to
 * notice through the collective and exit with their own error, then are terminated.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { withMallocTunables } from "./malloc-env.js";

export interface LaunchOptions {
  nproc: number;
  /** Node arguments of every rank (e.g. `[...process.execArgv, ...process.argv.slice(1)]`). */
  args: string[];
  /** Base environment (default process.env); the torchrun variables are added. */
  env?: NodeJS.ProcessEnv;
  /** Store port (default: a free loopback port). */
  masterPort?: number;
  /** After the first failure, how long the other ranks may take to exit by themselves (default 30 s). */
  graceMs?: number;
  /** Where rank 0's stdout goes (default process.stdout) and the prefixed lines (default process.stderr). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface RankExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When it exited, ms after the launch. */
  atMs: number;
}

export interface LaunchResult {
  ok: boolean;
  /** Every rank's exit, by rank. */
  exits: RankExit[];
  /** The first rank that failed, null when all exited with 0. */
  firstFailure: RankExit | null;
  masterPort: number;
}

/**
 * A TCP port free on 127.0.0.1 at the time of asking (the kernel's choice).
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { freeLoopbackPort } from "xlir";
 * const port = await freeLoopbackPort();
 * const srv = createServer();
 * // the port can be listened on at once
 * await new Promise<void>((ok, fail) => srv.once("error", fail).listen(port, "127.0.0.1", ok));
 * console.assert(port > 0 && port < 65536 && (srv.address() as { port: number }).port === port);
 * await new Promise((ok) => srv.close(ok));
 * ```
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Human form of a rank's exit ("exited with 10", "was killed by SIGKILL").
 * @example
 * ```ts
 * import { describeExit } from "xlir";
 * console.assert(describeExit({ rank: 1, code: 10, signal: null, atMs: 5 }) === "exited with status 10");
 * console.assert(describeExit({ rank: 0, code: null, signal: "SIGKILL", atMs: 5 }) === "was killed by SIGKILL");
 * ```
 */
export function describeExit(e: RankExit): string {
  return e.signal ? `was killed by ${e.signal}` : `exited with status ${e.code}`;
}

/**
 * Starts the ranks and waits for all of them; see the file comment.
 * @example
 * ```ts
 * import { Writable } from "node:stream";
 * import { launchLocalRanks } from "xlir";
 * let text = "";
 * const sink = new Writable({
 *   write(chunk, _encoding, done) {
 *     text += String(chunk);
 *     done();
 *   },
 * });
 * // each rank prints its torchrun variables and exits with its rank number
 * const script = "console.log('rank ' + process.env.RANK + ' of ' + process.env.WORLD_SIZE); process.exitCode = Number(process.env.RANK)";
 * const r = await launchLocalRanks({ nproc: 2, args: ["-e", script], stdout: sink, stderr: sink, graceMs: 2000 });
 * console.assert(!r.ok && r.firstFailure?.rank === 1 && r.exits[0].code === 0 && r.exits[1].code === 1);
 * console.assert(text.includes("rank 0 of 2\n") && text.includes("[rank 1] rank 1 of 2\n"));
 * ```
 */
export async function launchLocalRanks(o: LaunchOptions): Promise<LaunchResult> {
  if (!Number.isInteger(o.nproc) || o.nproc < 1)
    throw new RangeError(`nproc must be a positive integer, got ${o.nproc}`);
  const masterPort = o.masterPort ?? (await freeLoopbackPort());
  const t0 = performance.now();
  const grace = o.graceMs ?? 30_000;
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const children: ChildProcess[] = [];
  const exits: (RankExit | null)[] = Array.from({ length: o.nproc }, () => null);
  let firstFailure: RankExit | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  const forward = (sig: NodeJS.Signals) => () => children.forEach((c) => c.exitCode === null && c.kill(sig));
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const done = Array.from({ length: o.nproc }, (_, rank) => {
      const child = spawn(process.execPath, o.args, {
        env: {
          ...withMallocTunables(o.env ?? process.env),
          RANK: String(rank),
          WORLD_SIZE: String(o.nproc),
          LOCAL_RANK: String(rank),
          LOCAL_WORLD_SIZE: String(o.nproc),
          MASTER_ADDR: "127.0.0.1",
          MASTER_PORT: String(masterPort),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      const prefix = (stream: NodeJS.ReadableStream): void => {
        createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) =>
          err.write(`[rank ${rank}] ${line}\n`),
        );
      };
      if (rank === 0) child.stdout!.pipe(out, { end: false });
      else prefix(child.stdout!);
      prefix(child.stderr!);
      return new Promise<void>((resolve) => {
        child.once("error", (e) => err.write(`[rank ${rank}] could not start: ${e.message}\n`));
        child.once("close", (code, signal) => {
          const e: RankExit = { rank, code, signal, atMs: performance.now() - t0 };
          exits[rank] = e;
          if ((code !== 0 || signal) && !firstFailure) {
            firstFailure = e;
            killTimer = setTimeout(
              () =>
                children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill("SIGTERM")),
              grace,
            );
          }
          resolve();
        });
      });
    });
    await Promise.all(done);
  } finally {
    if (killTimer) clearTimeout(killTimer);
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
  const all = exits.map((e, rank) => e ?? { rank, code: null, signal: null, atMs: NaN });
  return { ok: firstFailure === null, exits: all, firstFailure, masterPort };
}
