import type { LeakReportRequest } from '@tradetally/contracts';

/** Where `--report` sends keys when neither `--api` nor TRADETALLY_API_URL says otherwise. */
export const DEFAULT_API_URL = 'http://localhost:3000';

/** Reporting failed (the API unreachable or refusing): an I/O error, exit status 2. */
export class ReportError extends Error {}

/** An API address keys may not be sent to: a usage error, exit status 2. */
export class ReportAddressError extends Error {}

/** True for `localhost` and the loopback addresses (127.0.0.0/8, ::1, and 127.x written as IPv4-mapped IPv6). */
function isLoopback(hostname: string): boolean {
  // WHATWG URL parsing has already normalised the forms (127.1, 0x7f.0.0.1, [0:0::1], [::ffff:127.0.0.1]).
  return hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}

/** The address without credentials, for messages. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/**
 * The API address keys may be sent to: `https://` anywhere, `http://` only to this machine (a key
 * sent in clear over a network is a second leak). Anything else throws ReportAddressError.
 */
export function reportTarget(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new ReportAddressError(`--api: not a URL: ${apiUrl}`);
  }
  // fetch refuses a URL with credentials; saying so here keeps them out of every later message.
  if (url.username || url.password) throw new ReportAddressError(`--api: a URL with a user name or password is not supported: ${shown(url)}`);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  throw new ReportAddressError(`--report sends keys only over https:// (or http:// to this machine: localhost, 127.0.0.1, [::1]), not to ${shown(url)}`);
}

const MAX_ATTEMPTS = 5;
const TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Sends one key, waiting out the API's leak-report rate limit (429 + Retry-After) a few times. */
async function reportOne(endpoint: string, key: string): Promise<void> {
  const body: LeakReportRequest = { key, source: 'scan' };
  for (let attempt = 1; ; attempt++) {
    let status: number;
    let retryAfter: string | null;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // A redirect would resend the key wherever it points (a 307 keeps the body), perhaps in clear.
        redirect: 'manual',
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      await response.arrayBuffer(); // drain: the answer is the same for hit and miss anyway
    } catch (error) {
      // fetch's errors name the URL, never the body: safe to show.
      throw new ReportError(
        `cannot reach ${endpoint}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
      );
    }
    if (status === 202) return;
    if (status >= 300 && status < 400) throw new ReportError(`${endpoint} answered ${status} (a redirect): keys are not sent on`);
    if (status === 429 && attempt < MAX_ATTEMPTS) {
      await sleep(Math.min(60, Math.max(1, Number(retryAfter) || 1)) * 1000);
      continue;
    }
    throw new ReportError(`${endpoint} answered ${status}`);
  }
}

/**
 * Sends each live key to `POST /v1/leaks` (`source: "scan"`), which revokes it. Keys go one per
 * request, a few at a time, so one refusal names no other key and the server's per-key path is used.
 * Returns how many were reported.
 */
export async function reportKeys(apiUrl: URL, keys: readonly string[], concurrency = 4): Promise<number> {
  const endpoint = new URL('/v1/leaks', apiUrl).toString();
  let next = 0;
  let reported = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await reportOne(endpoint, key);
      reported++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return reported;
}
