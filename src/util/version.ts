/** The package version, read once from the package.json that ships with the code (src/ or dist/src/). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * xlir's version as package.json states it (the nearest package.json named "xlir" above this file).
 * @example
 * ```ts
 * import { xlirVersion } from "xlir";
 * console.assert(/^\d+\.\d+\.\d+/.test(xlirVersion()));
 * ```
 */
export function xlirVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "xlir" && typeof pkg.version === "string") return (cached = pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("xlir: package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}
