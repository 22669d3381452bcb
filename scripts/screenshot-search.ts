/**
 * A screenshot of the search page for an experiment's output folder: starts `xlir serve
 * --experiment DIR` on loopback (its teacher, students and BM25 over the benchmark's index), types
 * a query (Basque by default) into the page in headless Chromium, presses Enter, opens the
 * explanation of one result and its transport plan, and writes a PNG.
 *
 *   node --import tsx scripts/screenshot-search.ts --experiment runs/default
 *        [--query "Nola gorde dokumentu bat PDF formatuan"] [--model ot] [--rank 1] [--k 5]
 *        [--benchmark help] [--out artifacts/search-page-eu.png] [--width 1280]
 *        [--chromium /usr/bin/chromium] [--xlir "./bin/xlir"]
 *
 * Prints one JSON object (the PNG's path, the model, the query, the titles shown).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { chromium } from "playwright-core";

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (dflt === undefined) {
    process.stderr.write(`screenshot-search: --${name} is required\n`);
    process.exit(2);
  }
  return dflt;
}

const experiment = arg("experiment");
const query = arg("query", "Nola gorde dokumentu bat PDF formatuan");
const model = arg("model", "");
const rank = Number(arg("rank", "1"));
const k = arg("k", "5");
const benchmark = arg("benchmark", "");
const out = arg("out", "artifacts/search-page-eu.png");
const width = Number(arg("width", "1280"));
const chromiumPath = arg("chromium", "/usr/bin/chromium");
const xlir = arg("xlir", "./bin/xlir").split(" ");

async function main(): Promise<void> {
  if (!existsSync(chromiumPath))
    throw new Error(`no chromium at ${chromiumPath} (Debian package chromium, or --chromium PATH)`);
  const args = [
    ...xlir.slice(1),
    "serve",
    "--experiment",
    experiment,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    ...(benchmark ? ["--benchmark", benchmark] : []),
  ];
  const server = spawn(xlir[0], args, { stdio: ["ignore", "inherit", "pipe"] });
  const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let buf = "";
      server.stderr.on("data", (d: Buffer) => {
        buf += d.toString();
        process.stderr.write(d);
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
        if (m) resolve(m[1]);
      });
      server.on("exit", (code) => reject(new Error(`xlir serve exited with ${code} before listening`)));
      setTimeout(() => reject(new Error("xlir serve did not start in 300 s")), 300_000);
    });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    try {
      const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(address);
      await page.waitForFunction(
        () => (document.getElementById("model") as HTMLSelectElement).options.length > 0,
      );
      if (model) await page.selectOption("#model", model);
      await page.selectOption("#k", k);
      await page.fill("#q", "");
      await page.type("#q", query, { delay: 10 });
      await page.press("#q", "Enter");
      await page.waitForSelector("#results li.result", { timeout: 120_000 });
      const card = page.locator("#results li.result").nth(rank - 1);
      await card.locator(".why").click();
      await card.locator(".explain .chip").first().waitFor({ timeout: 120_000 });
      const planButton = card.locator(".plan-btn");
      if (await planButton.count()) {
        await planButton.click();
        await card.locator(".plan svg").waitFor({ timeout: 120_000 });
      }
      mkdirSync(dirname(out), { recursive: true });
      await page.screenshot({ path: out, fullPage: true });
      const titles = await page.$$eval("#results .title", (ts) => ts.map((t) => t.textContent));
      const shown = {
        png: out,
        model: await page.inputValue("#model"),
        query,
        status: await page.textContent("#status"),
        titles,
        explained: rank,
        consoleErrors: problems,
      };
      process.stdout.write(JSON.stringify(shown, null, 2) + "\n");
      if (problems.length) process.exitCode = 1;
    } finally {
      await browser.close();
    }
  } finally {
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshot-search: ${String(err)}\n`);
  process.exitCode = 1;
});
