// The run's event stream: reporters (TTY view, plain log lines, --json) render these and nothing else.

export type RunEvent =
  | { type: "plan"; pipeline: string; store: string; total: number; cached: number; toRun: number; runId: string }
  | { type: "stage-cached"; id: string; key: string }
  | { type: "stage-start"; id: string; key: string; attempt: number; reasons: string[] }
  | { type: "stage-progress"; id: string; done: number; total?: number; unit?: string; metrics?: Record<string, number | string | null> }
  | { type: "stage-done"; id: string; key: string; seconds: number; published: "published" | "exists" }
  | { type: "stage-failed"; id: string; key: string; error: string; attempt: number; retryInMs?: number; log?: string }
  | { type: "stage-skipped"; id: string; reason: string }
  | { type: "stage-waiting"; id: string; reason: string }
  | { type: "corrupt"; id: string; key: string; problems: string[] }
  | { type: "warning"; message: string }
  | { type: "interrupt"; force: boolean }
  | { type: "run-done"; outcome: "ok" | "failed" | "interrupted"; seconds: number; ran: number; cached: number; failed: number; skipped: number };

export type EventSink = (e: RunEvent) => void;
