/** The train/test split of the help benchmark (docs/data.md): stable, by a hash of the page path. */
import { createHash } from "node:crypto";

/** Pages whose sha1(path)[0] is below this byte are test pages (about 20%: 540 of 2,560). */
export const TEST_BYTE_THRESHOLD = 52;

export const SPLIT_RULE = `test iff the first byte of sha1(utf8(path)) < ${TEST_BYTE_THRESHOLD}, path like /text/scalc/01/12090000.html`;

/** True when the help page at `path` (`/text/…html`) is a test page. */
/**
 * @example
 * ```ts
 * import { isTestPage } from "xlir";
 * console.assert(typeof isTestPage("/text/swriter/guide/print_preview.html") === "boolean");
 * ```
 */
export function isTestPage(path: string): boolean {
  return createHash("sha1").update(path, "utf8").digest()[0] < TEST_BYTE_THRESHOLD;
}
