/**
 * Multi-process options of the training commands: `--nproc N` starts N local ranks (this same
 * command line, re-run as children on loopback), a torchrun environment (RANK, WORLD_SIZE,
 * MASTER_ADDR, MASTER_PORT, LOCAL_RANK) makes this process one rank, `--dist-timeout` bounds how
 * long a rank waits for a silent peer.
 */
import type { Command } from "commander";
import { XlirError } from "../errors.js";
import { DEFAULT_DIST_TIMEOUT_MS, ProcessGroup, distributedFromEnv } from "../engine/distributed.js";
import { describeExit, launchLocalRanks } from "../engine/launch.js";
import { parseFloatOption, parseIntOption } from "./util.js";

export interface DistributedCliOptions {
  nproc?: number;
  distTimeout?: number;
}

/** Adds --nproc and --dist-timeout to a command. */
export function addDistributedOptions(cmd: Command): Command {
  return cmd
    .option(
      "--nproc <n>",
      "data-parallel: start n local ranks on 127.0.0.1 (or set the torchrun variables RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)",
      parseIntOption("--nproc"),
    )
    .option(
      "--dist-timeout <s>",
      `data-parallel: seconds a rank waits for a silent peer before failing (default ${DEFAULT_DIST_TIMEOUT_MS / 1000})`,
      parseFloatOption("--dist-timeout"),
    );
}

/**
 * Runs `body` as one rank, or launches the ranks. With --nproc N > 1 outside a torchrun
 * environment: starts N children and returns when all have exited (INTERRUPTED naming the first
 * rank that failed). Inside one (WORLD_SIZE > 1): joins the group, runs body(group), leaves the
 * group. Otherwise body(null).
 */
export async function runRanks(
  o: DistributedCliOptions,
  body: (group: ProcessGroup | null) => Promise<void> | void,
): Promise<void> {
  if (o.nproc !== undefined && (!Number.isInteger(o.nproc) || o.nproc < 1))
    throw new XlirError("USAGE", `--nproc must be a positive integer, got ${o.nproc}`);
  if (o.distTimeout !== undefined && !(o.distTimeout > 0))
    throw new XlirError("USAGE", `--dist-timeout must be positive, got ${o.distTimeout}`);
  const env = distributedFromEnv();
  if (env && o.nproc !== undefined && o.nproc !== env.worldSize)
    throw new XlirError(
      "USAGE",
      `--nproc ${o.nproc} contradicts WORLD_SIZE=${env.worldSize} in the environment`,
    );
  if (!env && o.nproc !== undefined && o.nproc > 1) {
    const r = await launchLocalRanks({
      nproc: o.nproc,
      args: [...process.execArgv, ...process.argv.slice(1)],
      graceMs: (o.distTimeout ?? DEFAULT_DIST_TIMEOUT_MS / 1000) * 1000 + 10_000,
    });
    if (!r.ok) {
      const f = r.firstFailure!;
      const others = r.exits.filter((e) => e.rank !== f.rank).map((e) => `rank ${e.rank} ${describeExit(e)}`);
      throw new XlirError(
        "INTERRUPTED",
        `rank ${f.rank} of ${o.nproc} ${describeExit(f)}${others.length ? `; ${others.join(", ")}` : ""}`,
      );
    }
    return;
  }
  if (!env || env.worldSize === 1) return body(null);
  const group = ProcessGroup.init({
    ...env,
    timeoutMs: o.distTimeout !== undefined ? Math.ceil(o.distTimeout * 1000) : undefined,
  });
  try {
    await body(group);
  } finally {
    group.destroy();
  }
}
