/**
 * One error catalogue for the whole library. Every error a user can cause is an XlirError with a
 * stable code; the CLI prints `xlir: <message>` and exits with the code's exit status, the server
 * maps it to an HTTP status. Anything else escaping is a bug and keeps its stack trace.
 */
export const ERROR_CODES = {
  USAGE: { exit: 2, http: 400, summary: "bad command-line usage or argument" },
  BAD_INPUT: { exit: 3, http: 400, summary: "malformed input file or request" },
  NOT_FOUND: { exit: 4, http: 404, summary: "a file or folder that was named does not exist" },
  MISMATCH: {
    exit: 5,
    http: 409,
    summary: "files that do not belong together (encoder hash, shapes, versions)",
  },
  CORRUPT: { exit: 6, http: 500, summary: "a file is truncated or its contents contradict its header" },
  UNSUPPORTED: { exit: 7, http: 400, summary: "a feature, architecture or format xlir does not handle" },
  NATIVE_MISSING: {
    exit: 8,
    http: 503,
    summary: "a native part (libtorch binding, external tool) is not installed",
  },
  CONFIG: { exit: 9, http: 400, summary: "invalid configuration" },
  INTERRUPTED: {
    exit: 10,
    http: 503,
    summary: "a long run stopped before its end; running it again resumes it",
  },
  INTERNAL: { exit: 70, http: 500, summary: "a bug in xlir" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * @example
 * ```ts
 * import { XlirError } from "xlir";
 * const e = new XlirError("CONFIG", "loss 'ot': unknown option 'eps'");
 * console.assert(e.exitCode === 9 && e.httpStatus === 400 && e.code === "CONFIG");
 * ```
 */
export class XlirError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "XlirError";
    this.code = code;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

/** Shorthand for an error about a position in a file: `file:line: message`. */
/**
 * @example
 * ```ts
 * import { inputError } from "xlir";
 * const e = inputError("qrels.txt", 3, "expected 4 fields");
 * console.assert(e.message === "qrels.txt:3: expected 4 fields" && e.code === "BAD_INPUT");
 * ```
 */
export function inputError(file: string, line: number | undefined, message: string): XlirError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new XlirError("BAD_INPUT", `${where}: ${message}`);
}
