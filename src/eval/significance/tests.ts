/** Registry of paired significance tests. */
import { XlirError } from "../../errors.js";
import { pairedRandomization } from "./randomization.js";
import { pairedTTest, type PairedTestResult } from "./ttest.js";

export type TestName = "t" | "randomization";

export interface TestOptions {
  seed: number;
  permutations: number;
}

export const TESTS: Readonly<
  Record<TestName, (a: readonly number[], b: readonly number[], o: TestOptions) => PairedTestResult>
> = {
  t: (a, b) => pairedTTest(a, b),
  randomization: (a, b, o) => pairedRandomization(a, b, { seed: o.seed, permutations: o.permutations }),
};

/**
 * @example
 * ```ts
 * import { pairedTest } from "xlir";
 * const r = pairedTest("t", [0.5, 0.6, 0.7], [0.4, 0.5, 0.7], { seed: 1, permutations: 1000 });
 * console.assert(r.n === 3);
 * ```
 */
export function pairedTest(
  name: string,
  a: readonly number[],
  b: readonly number[],
  o: TestOptions,
): PairedTestResult {
  if (!(name in TESTS))
    throw new XlirError("USAGE", `unknown test '${name}'; known: ${Object.keys(TESTS).join(", ")}`);
  return TESTS[name as TestName](a, b, o);
}
