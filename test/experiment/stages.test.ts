import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StageRunner } from "../../src/experiment/stages.js";

describe("StageRunner timings", () => {
  it("records the time from start to result, or the stage's own time when it reports one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xlir-stages-"));
    const stages = new StageRunner(dir, () => undefined);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await stages.run("waited", "h1", async () => (await sleep(60), { n: 1 }));
    // work done elsewhere in 0.5 s, its result taken up late
    const r = await stages.run("child", "h2", async () => (await sleep(60), { n: 2, seconds: 0.5 }), {
      seconds: (x) => x.seconds,
    });
    expect(r).toEqual({ n: 2, seconds: 0.5 });
    const [waited, child] = stages.timings;
    expect(waited.seconds).toBeGreaterThanOrEqual(0.05);
    expect(child).toEqual({ name: "child", seconds: 0.5, cached: false });
    const record = JSON.parse(readFileSync(join(dir, "stages", "child", "stage.json"), "utf8"));
    expect(record.seconds).toBe(0.5);
    // cached: no time of its own
    await stages.run("child", "h2", async () => ({ n: 3, seconds: 9 }), { seconds: (x) => x.seconds });
    expect(stages.timings[2]).toEqual({ name: "child", seconds: 0, cached: true });
  });
});
