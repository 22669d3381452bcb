/**
 * Dev: runs only the commands owned by the data helper (`data …`, `bench corpus …`) through the
 * same commander wiring and error mapping as bin/xlir, for when other commands do not load yet.
 * Usage: tsx scripts/dev/data-cli.ts data build --out DIR | bench corpus --lines N --json
 */
import { Command } from "commander";
import { XlirError } from "../../src/errors.js";
import { register as data } from "../../src/cli/commands/data.js";
import { register as corpus } from "../../src/cli/commands/bench/corpus.js";

const program = new Command().name("xlir").exitOverride();
data(program);
corpus(program.command("bench"));
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof XlirError) {
    process.stderr.write(`xlir: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else throw e;
}
