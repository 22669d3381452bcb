/**
 * The train/dev/test split of the help benchmark (docs/data.md): stable, by the first byte of a hash
 * of the page path. Test pages are those of the original two-way split (byte < 52, 540 of 2,560
 * pages), so test results stay comparable; dev takes the next byte range (52 <= byte < 78,
 * about 10%: 26/256 of the pages); the rest is train.
 */
import { createHash } from "node:crypto";

/** Pages whose sha1(path)[0] is below this byte are test pages (about 20%: 540 of 2,560). */
export const TEST_BYTE_THRESHOLD = 52;

/** Pages whose sha1(path)[0] is in [TEST_BYTE_THRESHOLD, DEV_BYTE_THRESHOLD) are dev pages. */
export const DEV_BYTE_THRESHOLD = 78;

export const SPLIT_RULE = `b = first byte of sha1(utf8(path)), path like /text/scalc/01/12090000.html: test iff b < ${TEST_BYTE_THRESHOLD}; dev iff ${TEST_BYTE_THRESHOLD} <= b < ${DEV_BYTE_THRESHOLD}; train otherwise`;

export type PageSplit = "train" | "dev" | "test";

/** The held-out splits, in the order files and counts are written. */
export const HELD_OUT_SPLITS = ["test", "dev"] as const;
export type HeldOutSplit = (typeof HELD_OUT_SPLITS)[number];

/** The split of the help page at `path` (`/text/…html`). */
export function pageSplit(path: string): PageSplit {
  const b = createHash("sha1").update(path, "utf8").digest()[0];
  return b < TEST_BYTE_THRESHOLD ? "test" : b < DEV_BYTE_THRESHOLD ? "dev" : "train";
}

/**
 * True when the help page at `path` is a test page.
 * @example
 * ```ts
 * import { isTestPage } from "xlir";
 * console.assert(typeof isTestPage("/text/swriter/guide/print_preview.html") === "boolean");
 * ```
 */
export function isTestPage(path: string): boolean {
  return pageSplit(path) === "test";
}

/** True when the help page at `path` is a dev page. */
export function isDevPage(path: string): boolean {
  return pageSplit(path) === "dev";
}
