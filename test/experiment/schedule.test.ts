import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/experiment/student-pool.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("runScheduled: students first, this process's work in the slots they leave", () => {
  it("runs queued and follow-up work only once every task has started, in order, and returns results in task order", async () => {
    const log: string[] = [];
    const task = (name: string, ms: number) => async (): Promise<string> => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      return name;
    };
    const out = await runScheduled(
      [task("a", 120), task("b", 10), task("c", 10)],
      2,
      [async () => void log.push("queued")],
      (i, r) => async () => void log.push(`after ${r} (${i})`),
    );
    expect(out).toEqual(["a", "b", "c"]);
    expect(log).toEqual([
      "start a",
      "start b",
      "end b",
      "start c", // b's slot takes the next task before any queued work
      "end c",
      "queued",
      "after b (1)",
      "after c (2)",
      "end a",
      "after a (0)",
    ]);
  });

  it("with one slot runs every task, then the queued work", async () => {
    const log: string[] = [];
    await runScheduled(
      [async () => void log.push("t1"), async () => void log.push("t2")],
      1,
      [async () => void log.push("q")],
      () => async () => void log.push("f"),
    );
    expect(log).toEqual(["t1", "t2", "q", "f", "f"]);
  });

  it("re-throws the first failure after the started tasks settle, and starts nothing after it", async () => {
    const log: string[] = [];
    const err = await runScheduled(
      [
        async () => {
          await sleep(30);
          log.push("slow done");
        },
        async () => {
          throw new Error("boom");
        },
        async () => void log.push("never"),
      ],
      2,
      [async () => void log.push("queued never")],
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
    expect(log).toEqual(["slow done"]);
  });
});
