import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/harness.js';

const BODY_BYTES = 3 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/**
 * Sends a 3 MiB body in 64 KiB writes over a connection of its own (`Connection: close`, as a
 * one-off client sends it) and reads the answer; `error` is the connection's failure, if any.
 */
function upload(url: string, method: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string; error: string | null }>((resolve) => {
    let answer: { status: number; body: string } | null = null;
    let error: string | null = null;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      resolve({ status: answer?.status ?? 0, body: answer?.body ?? '', error });
    };
    const req = httpRequest(`${url}${path}`, { method, headers: { ...headers, 'content-length': String(BODY_BYTES) }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, body: text };
        settle();
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        error = e.code ?? e.message;
        settle();
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
      // The answer may still be arriving when the write side fails: wait for it, or for the close.
      req.once('close', settle);
      if (req.destroyed && answer === null) setImmediate(settle);
    });
    let sent = 0;
    const write = () => {
      while (sent < BODY_BYTES) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return req.once('drain', write);
      }
      req.end();
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
