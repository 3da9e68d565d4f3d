import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/harness.js';

describe('oversized request headers', () => {
  const suite = useTestApi('sqlite');

  it('answers a 20 KB header with 431 problem details', async () => {
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(`${suite.api.url}/v1/health`, { headers: { 'x-padding': 'x'.repeat(20 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: 'request_header_too_large' });
  });
});
