/** Dev: runs the corpus-read benchmark without the CLI registry. Usage: tsx scripts/dev/data-bench-corpus.ts [lines] */
import { benchCorpus } from "../../src/data/bench-corpus.js";

const lines = Number(process.argv[2] ?? 1_000_000);
console.log(JSON.stringify(await benchCorpus([Math.round(lines / 10), lines]), null, 2));
