import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/harness.js';

const BODY_BYTES = 3 * 1024 * 1024;
const CHUNK = Buffer.alloc(128 * 1024, 'a');

/**
 * Sends a 3 MiB body in 128 KiB writes, one a millisecond (a client uploading at ~100 MB/s, so it is
 * still sending when an early answer comes: on loopback a body written at once sits whole in the
 * kernel's buffers before the server answers), over a connection of its own (`Connection: close`,
 * as a one-off client sends it), and reads the answer. `error` is any failure of the connection, even one
 * after the answer was read (a reset while the body was still going out): only a clean close counts.
 */
function upload(url: string, method: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string; error: string | null }>((resolve) => {
    let status = 0;
    let body = '';
    let error: string | null = null;
    const req = httpRequest(`${url}${path}`, { method, headers: { ...headers, 'content-length': String(BODY_BYTES) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        status = res.statusCode ?? 0;
        body = text;
      });
      res.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    req.on('close', () => resolve({ status, body, error }));
    let sent = 0;
    const write = () => {
      if (req.destroyed) return;
      if (sent >= BODY_BYTES) return void req.end();
      sent += CHUNK.length;
      if (req.write(CHUNK)) setTimeout(write, 1);
      else req.once('drain', () => setTimeout(write, 1));
    };
    write();
  });
}

/** The ways the API refuses a request before reading its body, each with the problem it answers. */
const REFUSALS = [
  { name: 'a keyed route with a bad key (401)', method: 'GET', path: '/v1/trades', headers: { authorization: 'Bearer tt_live_not-a-key' }, status: 401 },
  { name: 'an unknown path (404)', method: 'POST', path: '/v1/no-such-route', headers: {}, status: 404 },
  { name: "a body over the route's limit (413)", method: 'POST', path: '/v1/trades', headers: { authorization: 'Bearer tt_live_not-a-key' }, status: 413 },
] as const;

describe('a refused request still gets its answer', () => {
  const env = useTestApi('sqlite');

  for (const refusal of REFUSALS) {
    it(`answers ${refusal.name} with problem details, never a reset, 70 times in a row`, async () => {
      const failures: string[] = [];
      for (let i = 0; i < 70; i++) {
        const answer = await upload(env.api.url, refusal.method, refusal.path, { 'content-type': 'application/json', ...refusal.headers });
        if (answer.error !== null || answer.status !== refusal.status) failures.push(`${answer.status} ${answer.error ?? ''}`);
        else expect(JSON.parse(answer.body)).toMatchObject({ status: refusal.status });
      }
      expect(failures).toEqual([]);
    });
  }
});
