#!/usr/bin/env node
/** The xlir command line: a thin layer that parses arguments, calls the library and maps errors to exit codes. */
import { Command, CommanderError } from "commander";
import { XlirError } from "../errors.js";
import { COMMANDS } from "./commands/registry.js";
import { xlirVersion } from "../util/version.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("xlir")
    .description(
      "Cross-lingual retrieval for low-resource languages: train, index, search, evaluate, compare.",
    )
    .version(xlirVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof XlirError) {
      process.stderr.write(`xlir: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `xlir: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
