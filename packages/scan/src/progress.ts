import type { ScanProgress } from './scan.js';

/** A scan shorter than this shows no progress at all. */
export const PROGRESS_DELAY_MS = 1000;
/** How often the line is redrawn once shown. */
const REDRAW_MS = 200;
const CLEAR_LINE = '\r\u001b[2K';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The progress line: files and bytes done, and the commit being read in history mode. */
export function progressText(progress: ScanProgress): string {
  const files = `${progress.files.toLocaleString('en-US')} file${progress.files === 1 ? '' : 's'}`;
  return `tradetally-scan: ${files}, ${mib(progress.bytes)}${progress.commit ? `, commit ${progress.commit.slice(0, 12)}` : ''}…`;
}

/**
 * A line on stderr that a terminal redraws in place. Only on a terminal (a log file would fill with
 * carriage returns) and only after PROGRESS_DELAY_MS, so a quick scan prints nothing but its result.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | null = null;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly progress: ScanProgress,
  ) {}

  start(): void {
    // Unreferenced: the line never keeps the process alive.
    this.timer = setTimeout(() => {
      this.draw();
      this.timer = setInterval(() => this.draw(), REDRAW_MS).unref();
    }, PROGRESS_DELAY_MS).unref();
  }

  /** Stops redrawing and erases the line, so what follows starts on a clean line. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.shown) this.stream.write(CLEAR_LINE);
  }

  private draw(): void {
    this.shown = true;
    const width = this.stream.columns || 80;
    this.stream.write(`${CLEAR_LINE}${progressText(this.progress).slice(0, width - 1)}`);
  }
}
