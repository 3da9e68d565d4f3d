import { Agent, request } from 'node:http';

/** What one run of `mixedLoad` saw. */
export interface MixedLoadResult {
  seconds: number;
  requests: number;
  /** Answers by status (0: the client gave up or the connection failed). */
  byStatus: Record<number, number>;
  /** Requests the client gave up on after `timeoutMs`. */
  timeouts: number;
  p50: number;
  p99: number;
  /** The longest request, in ms (timeouts count as `timeoutMs`). */
  longest: number;
  /** Requests that took longer than 1 s. */
  over1s: number;
  /** The probe's reads that took longer than 1 s, with when they started (s into the run). */
  probeStalls: Array<{ at: number; ms: number }>;
  /** The `notes` marker of every write answered 201. */
  acknowledged: string[];
  /** The `notes` marker of every write whose answer never came (timeout, reset). */
  unanswered: string[];
}

/** One answer: status (0 on timeout or network error) and duration. */
interface Sent {
  status: number;
  ms: number;
  body: string;
}

/**
 * The load of a trader's integrations on one API: `readers` connections reading
 * `GET /v1/trades?limit=5`, `writers` connections adding trades with `POST /v1/trades`, and a probe
 * reading one trade every 200 ms, all with the same key, for `seconds`. Each write carries a unique
 * `notes` marker, so the caller can compare what was acknowledged with what was stored.
 */
export async function mixedLoad(options: {
  url: string;
  key: string;
  seconds: number;
  readers?: number;
  writers?: number;
  timeoutMs?: number;
  /** A marker prefix for this run's writes (default `load-<time>`). */
  tag?: string;
}): Promise<MixedLoadResult> {
  const { url, key, seconds } = options;
  const readers = options.readers ?? 8;
  const writers = options.writers ?? 8;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tag = options.tag ?? `load-${Date.now()}`;
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: readers + writers + 2 });
  const headers = { authorization: `Bearer ${key}` };

  const send = (method: string, path: string, body?: unknown): Promise<Sent> =>
    new Promise((resolve) => {
      const started = performance.now();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let settled = false;
      const done = (status: number, text = '') => {
        if (settled) return;
        settled = true;
        resolve({ status, ms: performance.now() - started, body: text });
      };
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          agent,
          headers: payload ? { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          res.on('error', () => done(0));
        },
      );
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        done(0);
      });
      req.on('error', () => done(0));
      req.end(payload);
    });

  const durations: number[] = [];
  const byStatus: Record<number, number> = {};
  const acknowledged: string[] = [];
  const unanswered: string[] = [];
  const probeStalls: Array<{ at: number; ms: number }> = [];
  let timeouts = 0;
  const record = (sent: Sent) => {
    durations.push(sent.ms);
    byStatus[sent.status] = (byStatus[sent.status] ?? 0) + 1;
    if (sent.status === 0 && sent.ms >= timeoutMs - 5) timeouts++;
  };

  // The probe reads a trade that exists before the load starts.
  const seed = await send('POST', '/v1/trades', { symbol: 'PROBE', side: 'buy', quantity: 1, price: 1, executedAt: new Date().toISOString() });
  if (seed.status !== 201) throw new Error(`mixedLoad: the seed trade answered ${seed.status} ${seed.body}`);
  const probeId = (JSON.parse(seed.body) as { id: string }).id;

  const start = performance.now();
  const until = start + seconds * 1000;
  let sequence = 0;
  const reader = async () => {
    while (performance.now() < until) record(await send('GET', '/v1/trades?limit=5'));
  };
  const writer = async () => {
    while (performance.now() < until) {
      const notes = `${tag}-${sequence++}`;
      const sent = await send('POST', '/v1/trades', { symbol: 'LOAD', side: 'buy', quantity: 1, price: 100, executedAt: new Date().toISOString(), notes });
      record(sent);
      if (sent.status === 201) acknowledged.push(notes);
      else if (sent.status === 0) unanswered.push(notes);
    }
  };
  const probe = async () => {
    while (performance.now() < until) {
      const at = (performance.now() - start) / 1000;
      const sent = await send('GET', `/v1/trades/${probeId}`);
      record(sent);
      if (sent.ms > 1000) probeStalls.push({ at: Math.round(at * 10) / 10, ms: Math.round(sent.ms) });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await Promise.all([...Array.from({ length: readers }, reader), ...Array.from({ length: writers }, writer), probe()]);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();

  const sorted = durations.sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
  return {
    seconds: elapsed,
    requests: sorted.length,
    byStatus,
    timeouts,
    p50: at(0.5),
    p99: at(0.99),
    longest: Math.round(sorted.at(-1) ?? 0),
    over1s: sorted.filter((ms) => ms > 1000).length,
    probeStalls,
    acknowledged,
    unanswered,
  };
}
