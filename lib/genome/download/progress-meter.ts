// Turns byte counts into progress reports and an occasional log line with bytes/s and ETA.

export class ProgressMeter {
  private readonly t0 = Date.now();
  private lastLog = 0;
  private startBytes?: number;

  constructor(
    private readonly report: (done: number, total: number | undefined) => void,
    private readonly log: (line: string) => void,
    private readonly everyMs = 5000,
  ) {}

  update(done: number, total: number | undefined): void {
    this.startBytes ??= done;
    this.report(done, total);
    const now = Date.now();
    if (now - this.lastLog < this.everyMs) return;
    this.lastLog = now;
    const rate = (done - this.startBytes) / Math.max(0.001, (now - this.t0) / 1000);
    const eta = total !== undefined && rate > 0 ? ` ETA ${formatSeconds((total - done) / rate)}` : "";
    const of = total !== undefined ? ` of ${mb(total)}` : "";
    this.log(`downloaded ${mb(done)}${of} at ${mb(rate)}/s${eta}`);
  }
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60)}s` : `${Math.round(s)}s`;
}
