/**
 * Data-parallel training on libtorch's c10d (gloo on 127.0.0.1), ranks started as child processes
 * by launchLocalRanks (the launcher behind --nproc):
 * - 2 ranks x 2 texts give the same weights as 1 process x 4 texts (same global batches);
 * - a rank killed mid-step, or stalled past the timeout, makes the other rank exit with a clear
 *   error (INTERRUPTED, exit 10) within a bound, no hang;
 * - a 2-rank run stopped and resumed continues exactly; resuming it with another world size is refused.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { NO_TORCH, torchSuite } from "../engine/torch-skip.js";
import { launchLocalRanks, type LaunchResult } from "../../src/engine/launch.js";
import { XlirError } from "../../src/errors.js";
import { runFixture, type FixtureOptions, type FixtureResult } from "./distributed-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "xlir-dist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const loader = resolve("node_modules/tsx/dist/loader.mjs");
const script = resolve("test/train/distributed-rank.ts");
const base: FixtureOptions = { steps: 4, batch: 4, accumulate: 2, dtype: "float32", dropout: 0 };

/** Starts 2 ranks of the fixture; returns the launch result, the merged stderr and the wall time. */
async function launch(
  o: FixtureOptions & { out: string; timeoutMs?: number; rendezvousTimeoutMs?: number },
  graceMs = 60_000,
): Promise<{ r: LaunchResult; stderr: string; ms: number }> {
  const err = new PassThrough();
  let stderr = "";
  err.on("data", (d: Buffer) => (stderr += d.toString()));
  const t0 = performance.now();
  const r = await launchLocalRanks({
    nproc: 2,
    args: ["--import", loader, script, JSON.stringify({ timeoutMs: 60_000, ...o })],
    graceMs,
    stdout: new PassThrough(),
    stderr: err,
  });
  return { r, stderr, ms: performance.now() - t0 };
}

function read(out: string, rank: number): FixtureResult {
  return JSON.parse(readFileSync(`${out}.rank${rank}.json`, "utf8")) as FixtureResult;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

describe.skipIf(NO_TORCH)(torchSuite("data-parallel training (c10d gloo, loopback)"), () => {
  const full = join(dir, "full");
  const fullCkpt = join(dir, "full.ckpt");

  it("2 ranks x 2 texts = 1 process x 4 texts: same losses and weights (float32, max |diff| < 1e-5), ranks bit-identical", async () => {
    const ref = runFixture(base);
    const { r, stderr } = await launch({ ...base, out: full, checkpointPath: fullCkpt });
    expect(r.ok, stderr).toBe(true);
    const r0 = read(full, 0);
    const r1 = read(full, 1);
    expect(r0.params).toEqual(r1.params); // identical gradients, identical steps
    expect(r0.losses).toEqual(r1.losses);
    const d = maxAbsDiff(r0.params, ref.params);
    console.log(`max |w(2 ranks) - w(1 process)| = ${d.toExponential(2)}; losses`, r0.losses, ref.losses);
    expect(d).toBeLessThan(1e-5); // observed ~4e-7: float sums in another order
    expect(d).toBeGreaterThanOrEqual(0);
    r0.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i])).toBeLessThan(1e-5));
    expect(ref.losses[3]).toBeLessThan(ref.losses[0]); // it trains
  });

  it("stopped after 2 updates and resumed on 2 ranks: exactly the uninterrupted 2-rank run", async () => {
    const out = join(dir, "resumed");
    const ckpt = join(dir, "resumed.ckpt");
    const first = await launch({ ...base, out, checkpointPath: ckpt, stopAfter: 2 });
    expect(first.r.ok, first.stderr).toBe(true);
    expect(read(out, 0).step).toBe(2);
    const second = await launch({ ...base, out, checkpointPath: ckpt });
    expect(second.r.ok, second.stderr).toBe(true);
    const ref = read(full, 0);
    for (const rank of [0, 1]) {
      const got = read(out, rank);
      expect(got.resumedFrom).toBe(2);
      expect(got.losses).toEqual(ref.losses);
      expect(got.params).toEqual(ref.params);
    }
  });

  it("a 2-rank checkpoint resumed by one process is refused, naming both world sizes", () => {
    let err: unknown;
    try {
      runFixture({ ...base, checkpointPath: fullCkpt });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XlirError);
    expect((err as XlirError).code).toBe("MISMATCH");
    expect((err as XlirError).message).toMatch(/written by a run on 2 ranks, this run has 1/);
  });

  it("a rank killed mid-step: the other exits with INTERRUPTED naming the allreduce within seconds", async () => {
    const out = join(dir, "killed");
    const { r, stderr } = await launch({ ...base, out, killRank: 1, killAt: 2, timeoutMs: 60_000 });
    expect(r.ok).toBe(false);
    expect(r.firstFailure?.rank).toBe(1);
    expect(r.exits[1].signal).toBe("SIGKILL");
    expect(r.exits[0].code, stderr).toBe(10);
    expect(stderr).toMatch(
      /\[rank 0\] xlir: distributed gradient allreduce failed on rank 0 of 2 .*Connection (closed|reset) by peer/,
    );
    // the survivor notices through the closed connection, long before the 60 s timeout
    expect(r.exits[0].atMs - r.exits[1].atMs).toBeLessThan(20_000);
  });

  it("a rank that stalls: the other fails after the 4 s collective timeout instead of hanging", async () => {
    const out = join(dir, "stalled");
    const { r, stderr } = await launch(
      {
        ...base,
        out,
        hangRank: 1,
        hangAt: 1,
        hangMs: 120_000,
        timeoutMs: 4_000,
        rendezvousTimeoutMs: 60_000,
      },
      1_000,
    );
    expect(r.firstFailure?.rank, stderr).toBe(0);
    expect(r.exits[0].code, stderr).toBe(10);
    expect(stderr).toMatch(
      /\[rank 0\] xlir: distributed gradient allreduce failed on rank 0 of 2 \(a peer process died, hung or exceeded the 4 s timeout\)/,
    );
    expect(r.exits[1].signal).toBe("SIGTERM"); // the launcher ended the stalled rank after the grace period
    expect(r.exits[1].atMs).toBeLessThan(60_000);
  });
});
