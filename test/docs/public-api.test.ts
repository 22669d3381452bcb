/**
 * The public API loads as a real Node ES module (not only under vitest, whose module runner lets a
 * missing named export pass as undefined): `import("src/index.ts")` through tsx, as `bin/xlir` runs,
 * must succeed and expose the entry points the README uses.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

describe("the public API as a Node ES module", () => {
  it("imports src/index.ts under plain Node + tsx", () => {
    const root = resolve(new URL("../..", import.meta.url).pathname);
    const code = `const m = await import(${JSON.stringify(resolve(root, "src/index.ts"))});
console.log(JSON.stringify(["runExperiment", "runTuning", "runDevEvaluation", "sinkhorn", "evaluateRun"].map((k) => typeof m[k])));`;
    const out = execFileSync(
      process.execPath,
      ["--import", resolve(root, "node_modules/tsx/dist/loader.mjs"), "--input-type=module", "-e", code],
      { cwd: root, encoding: "utf8" },
    );
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual([
      "function",
      "function",
      "function",
      "function",
      "function",
    ]);
  }, 120_000);
});
