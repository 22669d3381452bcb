/** Small helpers shared by CLI commands: number parsing with clear errors, JSON printing. */
import { XlirError } from "../errors.js";

export function parseIntOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new XlirError("USAGE", `${name} expects an integer, got '${value}'`);
    return n;
  };
}

export function parseFloatOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new XlirError("USAGE", `${name} expects a number, got '${value}'`);
    return n;
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
