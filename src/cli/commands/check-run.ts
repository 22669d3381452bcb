import type { Command } from "commander";
import { writeFileAtomic } from "../../data/atomic.js";
import { XlirError } from "../../errors.js";
import {
  checkReport,
  expectedFromReport,
  formatCheck,
  readExpectedScores,
  readReportRows,
} from "../../report/expected.js";
import { parseFloatOption, printJson } from "../util.js";

interface CheckRunOptions {
  report: string;
  expected?: string;
  init?: string;
  tolerance: number;
  measure: string[];
  command: string;
  note?: string;
  json?: boolean;
}

/** Registers `xlir check-run`: a finished run's report.json against committed expected scores. */
export function register(program: Command): void {
  program
    .command("check-run")
    .description(
      "check a finished experiment's report.json against committed expected scores (exit 5 when a score differs beyond its tolerance or is missing); with --init, write such a file from a report",
    )
    .requiredOption("--report <file>", "report.json of a finished `xlir experiment`")
    .option("--expected <file>", "expected-scores file to check against (e.g. expected/default.json)")
    .option("--init <file>", "instead: write an expected-scores file from the report's seed-mean rows")
    .option("--tolerance <x>", "--init: tolerance of every score", parseFloatOption("--tolerance"), 0.01)
    .option(
      "-m, --measure <name>",
      "--init: keep only this measure (repeatable; default all)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--command <text>", "--init: the command that produced the report", "./bin/xlir experiment")
    .option("--note <text>", "--init: when and where the figures were produced")
    .option("--json", "print the check as JSON")
    .action(async (o: CheckRunOptions) => {
      if ((o.expected === undefined) === (o.init === undefined)) {
        throw new XlirError("USAGE", "give exactly one of --expected FILE (check) and --init FILE (write)");
      }
      const rows = await readReportRows(o.report);
      if (o.init !== undefined) {
        if (!(o.tolerance >= 0)) throw new XlirError("USAGE", `--tolerance must be >= 0, got ${o.tolerance}`);
        const expected = expectedFromReport(rows, {
          command: o.command,
          tolerance: o.tolerance,
          measures: o.measure,
          note: o.note,
        });
        await writeFileAtomic(o.init, JSON.stringify(expected, null, 2) + "\n");
        process.stdout.write(
          `${o.init}: ${expected.scores.length} expected scores (tolerance ${o.tolerance})\n`,
        );
        return;
      }
      const result = checkReport(await readExpectedScores(o.expected as string), rows);
      if (o.json) printJson(result);
      else process.stdout.write(formatCheck(result));
      if (result.failures > 0) {
        const n = result.checked.length;
        throw new XlirError(
          "MISMATCH",
          `${o.report}: ${result.failures} of ${n} scores differ from ${o.expected} beyond tolerance or are missing`,
        );
      }
    });
}
