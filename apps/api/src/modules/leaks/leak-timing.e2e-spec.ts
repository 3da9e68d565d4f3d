import { type CreateApiKeyResponse, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../testing/harness.js';

describe('leak reports are no timing oracle', () => {
  const suite = useTestApi('sqlite', { LEAK_REPORT_FLOOR_MS: '75' });

  it('takes as long for a report that revokes a key as for one that matches nothing (median ratio < 1.5)', async () => {
    const { api } = suite;
    const { token } = await api.signUp();
    const timed = async (key: string) => {
      const started = performance.now();
      expect((await api.request('POST', '/v1/leaks', { body: { key, source: 'manual' } })).status).toBe(202);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] as number;
    const hits: number[] = [];
    const misses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { secret } = await api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body: { name: `t${i}`, scope: 'read' } }).then((a) => a.body);
      hits.push(await timed(secret));
      misses.push(await timed(generateApiKey('live')));
    }
    const ratio = median(hits) / median(misses);
    expect(ratio).toBeLessThan(1.5);
    expect(ratio).toBeGreaterThan(1 / 1.5);
  });
});
