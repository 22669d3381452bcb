import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The toy "foreign language" of the experiment tests: English words written backwards, and a seeded sentence maker. */

/** Every word of `s` written backwards. */
export const foreign = (s: string): string =>
  s
    .split(" ")
    .map((w) => [...w].reverse().join(""))
    .join(" ");

/** A seeded linear-congruential maker of sentences over `words`: `rnd(n)` in [0, n), `sentence(n)` of n words. */
export function toyText(
  seed: number,
  words: readonly string[],
): { rnd: (n: number) => number; sentence: (n: number) => string } {
  let state = seed;
  const rnd = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const sentence = (n: number): string => Array.from({ length: n }, () => words[rnd(words.length)]).join(" ");
  return { rnd, sentence };
}

const TEACHER = resolve("test/fixtures/tiny-bert");

/** The English words of the toy benchmarks (the experiment test uses all, the tuning data the first 14). */
export const TOY_WORDS = [
  "quick",
  "brown",
  "fox",
  "jump",
  "over",
  "lazy",
  "dog",
  "hello",
  "world",
  "search",
  "query",
  "document",
  "token",
  "language",
  "low",
  "resource",
  "cafe",
  "run",
] as const;

/**
 * A toy user benchmark in `dir` (20 English documents, 6 test and 6 dev queries in the toy
 * language, 40 bitext pairs) and the raw configuration that trains tiny students on it from the
 * tiny Hugging Face teacher; its tuning section is a small sweep.
 */
export function toyTuningData(dir: string): Record<string, unknown> {
  const words = TOY_WORDS.slice(0, 14);
  const { rnd, sentence } = toyText(11, words);
  const docs = Array.from({ length: 20 }, (_, i) => ({
    id: `d${i}`,
    title: sentence(3),
    text: sentence(10),
  }));
  writeFileSync(join(dir, "corpus.jsonl"), docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
  const write = (name: string, from: number, to: number): void => {
    const qs = docs
      .slice(from, to)
      .map((d, i) => ({ qid: `${name}${i}`, text: foreign(d.title), doc: d.id }));
    writeFileSync(join(dir, `${name}.tsv`), qs.map((q) => `${q.qid}\t${q.text}`).join("\n") + "\n");
    writeFileSync(join(dir, `${name}.qrels`), qs.map((q) => `${q.qid} 0 ${q.doc} 1`).join("\n") + "\n");
  };
  write("test", 0, 6);
  write("dev", 6, 12);
  const bitext = Array.from({ length: 40 }, () => sentence(2 + rnd(4)));
  writeFileSync(join(dir, "bitext.tsv"), bitext.map((s) => `${foreign(s)}\t${s}`).join("\n") + "\n");
  return {
    seeds: [3],
    workers: 2,
    data: {
      builtin: false,
      bitext: { xx: [join(dir, "bitext.tsv")] },
      benchmarks: [
        {
          name: "toy",
          corpus: join(dir, "corpus.jsonl"),
          languages: [
            {
              language: "xx",
              queries: join(dir, "test.tsv"),
              qrels: join(dir, "test.qrels"),
              dev: { queries: join(dir, "dev.tsv"), qrels: join(dir, "dev.qrels") },
            },
          ],
        },
      ],
    },
    teacher: { model: TEACHER },
    students: {
      losses: ["ot", "contrastive"],
      maxLength: 16,
      optim: { steps: 4, batchSize: 4, warmupSteps: 1, checkpointEvery: 1 },
    },
    tuning: {
      trials: 3,
      steps: [2, 3],
      learningRate: [1e-3, 2e-3],
      space: { ot: { epsilon: [0.05, 0.1] }, contrastive: { temperature: [0.05, 0.1] } },
    },
    search: { k: 10, queryMaxLength: 16 },
  };
}
