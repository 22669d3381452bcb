/**
 * Machine translation of queries through any stdin -> stdout command (Apertium `eu-en`, a Moses
 * or Marian wrapper, `cat` for tests). One process call per batch: queries are written one per
 * line (newlines inside a query become spaces) and the output must have exactly one line per
 * query, else the batch is refused.
 *
 * Apertium marks words it could not handle: `*word` unknown to the analyser, `@word` no
 * bilingual entry, `#word` no generation. `stripApertiumMarks` (default true when the command is
 * `apertium`) removes the mark and keeps the word, as `apertium -u` does for `*`.
 *
 * The batch is written to a temporary file that becomes the command's stdin, not a Node pipe:
 * Node's child pipes are Unix sockets, and the `apertium` shell script opens `/dev/stdin` by
 * path, which fails on a socket (it then prints a usage line and exits 0 with empty output).
 */
import { spawn } from "node:child_process";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { XlirError } from "../../errors.js";
import type { QueryTranslator } from "./registry.js";

export interface CommandTranslatorOptions {
  /** Program to run (looked up on PATH), e.g. "apertium". */
  command: string;
  /** Its arguments, e.g. ["eu-en"]. */
  args?: string[];
  /** Remove Apertium's `*`, `@`, `#` word marks; default: command is apertium. */
  stripApertiumMarks?: boolean;
  /** Kill the command after this many milliseconds (default 600,000). */
  timeoutMs?: number;
  /** Extra text for the "not installed" error (default: an apt-get line for apertium). */
  installHint?: string;
}

/**
 * Removes Apertium's unknown/untranslated/ungenerated marks in front of words.
 *
 * @example
 * ```ts
 * import { stripApertiumMarks } from "xlir";
 * // *unknown word, @no bilingual entry, #no generation; a mark inside a word or alone is kept
 * console.assert(stripApertiumMarks("*etxe @zuri #handia a#b *") === "etxe zuri handia a#b *");
 * ```
 */
export function stripApertiumMarks(line: string): string {
  return line.replace(/(?<![\p{L}\p{M}\p{N}])[*@#](?=[\p{L}\p{M}\p{N}])/gu, "");
}

/**
 * Translates queries by running a command once per batch (see the module comment).
 *
 * @example
 * ```ts
 * import { CommandTranslator, XlirError } from "xlir";
 * const echo = new CommandTranslator({ command: "cat" }); // any stdin -> stdout command, one line per query
 * console.assert(echo.name === "mt:cat");
 * const out = await echo.translate(["etxe zuri", "two\nlines"]);
 * console.assert(out.length === 2 && out[0] === "etxe zuri" && out[1] === "two lines");
 * const upper = new CommandTranslator({ command: "tr", args: ["a-z", "A-Z"] });
 * console.assert((await upper.translate(["*kaixo"]))[0] === "*KAIXO");
 * const missing = new CommandTranslator({ command: "xlir-no-such-translator" });
 * const err = await missing.translate(["kaixo"]).catch((e: unknown) => e);
 * console.assert(err instanceof XlirError && err.code === "NATIVE_MISSING");
 * ```
 */
export class CommandTranslator implements QueryTranslator {
  readonly name: string;
  private readonly options: Required<Omit<CommandTranslatorOptions, "installHint">> & {
    installHint?: string;
  };

  constructor(options: CommandTranslatorOptions) {
    if (!options.command) throw new XlirError("CONFIG", "mt translator: 'command' is required");
    const isApertium = basename(options.command) === "apertium";
    this.options = {
      command: options.command,
      args: options.args ?? [],
      stripApertiumMarks: options.stripApertiumMarks ?? isApertium,
      timeoutMs: options.timeoutMs ?? 600_000,
      installHint: options.installHint,
    };
    this.name = `mt:${[this.options.command, ...this.options.args].join(" ")}`;
  }

  private hint(): string {
    if (this.options.installHint) return this.options.installHint;
    if (basename(this.options.command) === "apertium") {
      const pair = this.options.args.find((a) => /^[a-z]{2,3}-[a-z]{2,3}/.test(a));
      const pkg = pair ? ` apertium-${pair.split("-").slice(0, 2).join("-")}` : "";
      return `install it with: sudo apt-get install apertium${pkg}`;
    }
    return "install it or put it on PATH";
  }

  async translate(queries: readonly string[]): Promise<string[]> {
    if (queries.length === 0) return [];
    const input = queries.map((q) => q.replace(/\r\n|\r|\n/g, " ")).join("\n") + "\n";
    const dir = await mkdtemp(join(tmpdir(), "xlir-mt-"));
    let out: { stdout: string; stderr: string };
    try {
      const file = join(dir, "queries.txt");
      await writeFile(file, input, "utf8");
      const fh = await open(file, "r");
      try {
        out = await this.run(fh.fd);
      } finally {
        await fh.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const body = out.stdout.endsWith("\n") ? out.stdout.slice(0, -1) : out.stdout;
    const lines = body.split(/\r?\n/);
    if (lines.length !== queries.length) {
      const err = out.stderr.trim() ? ` (stderr: ${out.stderr.trim().slice(0, 500)})` : "";
      throw new XlirError(
        "MISMATCH",
        `${this.name}: produced ${lines.length} lines for ${queries.length} queries; the command must keep one output line per input line${err}`,
      );
    }
    return this.options.stripApertiumMarks
      ? lines.map((l) => stripApertiumMarks(l).trim())
      : lines.map((l) => l.trim());
  }

  /** Runs the command with `stdinFd` as its stdin; resolves with its output when it exits 0. */
  private run(stdinFd: number): Promise<{ stdout: string; stderr: string }> {
    const { command, args, timeoutMs } = this.options;
    return new Promise((resolvePromise, reject) => {
      const child = spawn(command, args, { stdio: [stdinFd, "pipe", "pipe"], timeout: timeoutMs });
      const stdout: Buffer[] = [];
      let stderr = "";
      child.stdout?.on("data", (c: Buffer) => stdout.push(c));
      child.stderr?.on("data", (c: Buffer) => {
        if (stderr.length < 4000) stderr += c.toString("utf8");
      });
      child.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") {
          reject(
            new XlirError(
              "NATIVE_MISSING",
              `translation command '${command}' is not installed; ${this.hint()}`,
              { cause: err },
            ),
          );
        } else {
          reject(
            new XlirError("NATIVE_MISSING", `${this.name}: could not run: ${err.message}`, { cause: err }),
          );
        }
      });
      child.on("close", (code, signal) => {
        if (code === 0) return resolvePromise({ stdout: Buffer.concat(stdout).toString("utf8"), stderr });
        const why = signal
          ? `was killed (${signal}${signal === "SIGTERM" ? `, timeout ${timeoutMs} ms?` : ""})`
          : `exited with status ${code}`;
        const detail = stderr.trim() ? `: ${stderr.trim()}` : "";
        const missing = code === 127 || /mode .* does not exist/i.test(stderr);
        reject(
          new XlirError("NATIVE_MISSING", `${this.name} ${why}${detail}${missing ? `; ${this.hint()}` : ""}`),
        );
      });
    });
  }
}
