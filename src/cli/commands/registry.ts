import type { Command } from "commander";
import { register as align } from "./align.js";
import { register as bench } from "./bench.js";
import { register as checkRun } from "./check-run.js";
import { register as compare } from "./compare.js";
import { register as data } from "./data.js";
import { register as dev } from "./dev.js";
import { register as encode } from "./encode.js";
import { register as evaluate } from "./evaluate.js";
import { register as fuse } from "./fuse.js";
import { register as experiment } from "./experiment.js";
import { register as index } from "./index-cmd.js";
import { register as search } from "./search.js";
import { register as serve } from "./serve.js";
import { register as tune } from "./tune.js";

/** Every sub-command, in the order `xlir --help` lists them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  experiment,
  tune,
  dev,
  checkRun,
  data,
  encode,
  align,
  index,
  search,
  serve,
  evaluate,
  compare,
  fuse,
  bench,
];
