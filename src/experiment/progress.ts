/**
 * Progress of long work on stderr: a cli-progress bar on a terminal, otherwise one log line every
 * 10% (so CI logs and files stay readable).
 */
import cliProgress from "cli-progress";
import type { Logger } from "./stages.js";

export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private lastDecile = -1;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly log: Logger,
    opts: { lines?: boolean } = {},
  ) {
    if (!opts.lines && process.stderr.isTTY && total > 0) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {info}`,
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { info: "" });
    }
  }

  update(done: number, info = ""): void {
    if (this.bar) {
      this.bar.update(done, { info });
      return;
    }
    const decile = this.total > 0 ? Math.floor((10 * done) / this.total) : 10;
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      const s = ((performance.now() - this.started) / 1000).toFixed(0);
      this.log(`[${this.label}] ${done}/${this.total} (${s} s) ${info}`);
    }
  }

  done(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
