// Node ends a process whose event loop is empty even while promises are pending (exit 13 for a pending top-level
// await): work that waits on itself would end the engine without a word. The guard turns that into a reported error.
/**
 * Calls `onStall` if the event loop empties before the returned `unguard` is called, then exits with status 1 (or the
 * exit code already set). `onStall` may do async work (it keeps the loop alive while it runs).
 */
export function guardStall(onStall: () => Promise<void>): () => void {
  const handler = () => {
    process.off("beforeExit", handler);
    void onStall()
      .catch((e) => process.stderr.write(`dnaflow: while reporting a stalled run: ${(e as Error)?.stack ?? e}\n`))
      .finally(() => process.exit(process.exitCode || 1));
  };
  process.on("beforeExit", handler);
  return () => process.off("beforeExit", handler);
}
