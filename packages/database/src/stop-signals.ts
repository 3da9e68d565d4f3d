// Shared by the API and the worker, whose main.ts import it through its own subpath (it loads
// alone). Imported by main.ts before anything else loads, so that SIGTERM and SIGINT are handled from the
// first moment: loading the application's modules takes a while, and Node's default action for a
// signal arriving then would end the process by that signal instead of an exit 0 (operations.md
// "Graceful stop").

type Stop = (signal: string) => Promise<void>;

let stop: Stop | null = null;
let pending: string | null = null;

const run = (signal: string, stopNow: Stop) =>
  stopNow(signal).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // A second signal (Ctrl-C, then a supervisor's SIGTERM) joins the stop under way.
  process.on(signal, () => {
    if (stop) return void run(signal, stop);
    if (pending) return;
    pending = signal;
    // Start-up may hang (a database that does not answer): do not outlive the shutdown timeout.
    setTimeout(() => process.exit(0), Number(process.env.SHUTDOWN_TIMEOUT_MS) || 10_000).unref();
  });
}

/** Hands over the graceful stop once the process has started; a signal that came earlier runs it now. */
export function onStopSignal(stopNow: Stop): void {
  stop = stopNow;
  if (pending) void run(pending, stopNow);
}
