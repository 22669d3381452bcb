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
