/**
 * One rank of the distributed fixture, started by test/train/distributed.test.ts through
 * launchLocalRanks: argv[2] is the FixtureOptions JSON plus `out` (a path prefix) and the timeouts.
 * Joins the group from the torchrun environment, trains, writes `<out>.rank<r>.json`; an XlirError
 * is printed as `xlir: <message>` and exits with its code, as the CLI does.
 */
import { writeFileSync } from "node:fs";
import { ProcessGroup, distributedFromEnv } from "../../src/engine/index.js";
import { XlirError } from "../../src/errors.js";
import { runFixture, type FixtureOptions } from "./distributed-fixture.js";

const o = JSON.parse(process.argv[2]) as FixtureOptions & {
  out: string;
  timeoutMs: number;
  rendezvousTimeoutMs?: number;
};
try {
  const env = distributedFromEnv();
  if (!env) throw new Error("distributed-rank.ts needs the torchrun environment");
  const group = ProcessGroup.init({
    ...env,
    timeoutMs: o.timeoutMs,
    rendezvousTimeoutMs: o.rendezvousTimeoutMs,
  });
  const r = runFixture(o, group);
  writeFileSync(`${o.out}.rank${group.rank}.json`, JSON.stringify(r));
  group.destroy();
} catch (e) {
  if (!(e instanceof XlirError)) throw e;
  process.stderr.write(`xlir: ${e.message}\n`);
  process.exit(e.exitCode);
}
