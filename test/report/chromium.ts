// Loads a page in headless Chromium (Debian `chromium`) over the DevTools protocol on a pipe (--remote-debugging-pipe:
// NUL-separated JSON on fds 3 and 4, no library, no port): console errors, exceptions, network requests, DOM facts
// and a screenshot.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`headless Chromium not found at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM`);
}

export interface PageResult {
  errors: string[];
  requests: string[];
  value: unknown;
  screenshot: Buffer;
}

export async function inspectPage(url: string, expression: string, width = 1200): Promise<PageResult> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), "dnaflow-chromium-"));
  const child = spawn(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const toChrome = child.stdio[3] as Writable;
  const fromChrome = child.stdio[4] as Readable;
  let id = 0;
  const pending = new Map<number, { ok: (v: any) => void; fail: (e: Error) => void }>();
  const listeners: Array<(m: any) => void> = [];
  let buf = "";
  fromChrome.on("data", (d: Buffer) => {
    buf += d.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\0")) >= 0) {
      const msg = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const p = pending.get(msg.id)!;
        pending.delete(msg.id);
        if (msg.error) p.fail(new Error(`${msg.error.message}`));
        else p.ok(msg.result);
      } else listeners.forEach((l) => l(msg));
    }
  });
  const exited = new Promise<never>((_, fail) => child.on("exit", (c) => fail(new Error(`chromium exited (${c}): ${stderr.slice(-2000)}`))));
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    Promise.race([
      new Promise((ok, fail) => {
        const mid = ++id;
        pending.set(mid, { ok, fail });
        toChrome.write(JSON.stringify({ id: mid, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
      }),
      exited,
    ]);
  const errors: string[] = [];
  const requests: string[] = [];
  try {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
    let loaded!: () => void;
    const load = new Promise<void>((ok) => (loaded = ok));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === "Runtime.consoleAPICalled" && (m.params.type === "error" || m.params.type === "assert"))
        errors.push(`console.${m.params.type}: ${m.params.args.map((a: any) => a.value ?? a.description).join(" ")}`);
      if (m.method === "Runtime.exceptionThrown")
        errors.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
      if (m.method === "Log.entryAdded" && m.params.entry.level === "error") errors.push(`log: ${m.params.entry.text} ${m.params.entry.url ?? ""}`.trim());
      if (m.method === "Network.requestWillBeSent" && !/^(file|data|about):/.test(m.params.request.url)) requests.push(m.params.request.url);
      if (m.method === "Page.loadEventFired") loaded();
    });
    for (const d of ["Runtime", "Log", "Page", "Network"]) await send(`${d}.enable`, {}, sessionId);
    await send("Emulation.setDeviceMetricsOverride", { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send("Page.navigate", { url }, sessionId);
    await Promise.race([load, new Promise((_, f) => setTimeout(() => f(new Error("page did not load in 30 s")), 30_000).unref())]);
    await new Promise((r) => setTimeout(r, 200)); // late console messages
    const { result } = await send("Runtime.evaluate", { expression, returnByValue: true }, sessionId);
    const shot = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true }, sessionId);
    return { errors, requests, value: result.value, screenshot: Buffer.from(shot.data, "base64") };
  } finally {
    const gone = new Promise((ok) => (child.exitCode !== null ? ok(undefined) : child.once("exit", ok)));
    await send("Browser.close").catch(() => undefined);
    await Promise.race([gone, new Promise((ok) => setTimeout(ok, 5000).unref())]);
    if (child.exitCode === null) child.kill("SIGKILL");
    for (const s of [child.stderr, child.stdio[3], child.stdio[4]]) s?.destroy();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
