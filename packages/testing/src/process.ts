import { type ChildProcess, spawn } from 'node:child_process';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned Node process with its output kept and its exit awaited. */
export interface Proc {
  child: ChildProcess;
  /** stdout and stderr chunks, in arrival order. */
  output: string[];
  exited: Promise<Exit>;
  /** Sends `signal` (default SIGTERM) unless it has already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /**
   * Resolves once the output matches `pattern`; throws with the output when the process exits
   * first or `timeoutMs` passes, so a test never hangs or goes on without the line it needed.
   */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
}

const matches = (text: string, pattern: string | RegExp) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));

/** Runs `node main` with `env` over the current environment. */
export function spawnNode(main: string, env: Record<string, string>): Proc {
  const output: string[] = [];
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    waitForOutput: async (pattern, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      while (!matches(output.join(''), pattern)) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${main} exited (${child.exitCode ?? child.signalCode}) before printing ${String(pattern)}:\n${output.join('')}`);
        }
        if (Date.now() >= until) throw new Error(`${main} did not print ${String(pattern)} within ${timeoutMs} ms:\n${output.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
