import { JobName } from '@tradetally/contracts';
import type { ApiKeyRecord, ApiKeysRepository, RecordsRepository, Tx } from '@tradetally/database';
import { apiKeyRecord } from '@tradetally/database/testing';
import { describe, expect, it, vi } from 'vitest';
import { LeaksService } from './leaks.service.js';

function key(id: string, lineageId: string): ApiKeyRecord {
  return apiKeyRecord({ id, lineageId, userId: 'owner', name: 'k', selfRotate: true });
}

describe('LeaksService.revokeLeaked', () => {
  it('revokes each matched key’s lineage once, with records and a follow-up per revoked key', async () => {
    // Two reported keys of lineage L (a root and its successor), one of lineage M.
    const matched = [key('a', 'L'), key('b', 'L'), key('c', 'M')];
    const revokedOf: Record<string, ApiKeyRecord[]> = { L: [key('b', 'L'), key('d', 'L')], M: [key('c', 'M')] };
    const keys = {
      findByHashes: vi.fn(async () => matched),
      revokeLineage: vi.fn(async (lineageId: string, _reportedId: string) => revokedOf[lineageId] ?? []),
    };
    const audits: string[] = [];
    const records = {
      audit: async (_tx: Tx, event: { apiKeyId: string; type: string }) => {
        audits.push(`${event.apiKeyId}:${event.type}`);
        return `audit-${event.apiKeyId}`;
      },
      notify: vi.fn(async () => 'n'),
    };
    const jobs = { add: vi.fn(async (..._args: unknown[]) => true) };
    const service = new LeaksService(
      { LEAK_REPORT_FLOOR_MS: 0 },
      { transaction: (work) => work({} as Tx) },
      { candidates: (secret) => [`h:${secret}`] },
      { consume: async () => undefined } as never,
      jobs,
      keys as unknown as ApiKeysRepository,
      records as unknown as RecordsRepository,
    );
    const result = await service.revokeLeaked(['s1', 's2', 's3'], 'manual', undefined, null);
    expect(keys.revokeLineage.mock.calls.map(([lineageId, reportedId]) => [lineageId, reportedId])).toEqual([
      ['L', 'a'],
      ['M', 'c'],
    ]);
    expect(result.revoked.map((k) => k.id)).toEqual(['b', 'd', 'c']);
    expect(result.matched).toBe(matched);
    expect(audits).toEqual(['b:key.leak_reported', 'b:key.revoked', 'd:key.leak_reported', 'd:key.revoked', 'c:key.leak_reported', 'c:key.revoked']);
    expect(records.notify).toHaveBeenCalledTimes(3);
    expect(jobs.add.mock.calls).toEqual([
      [JobName.LeakFollowUp, { keyId: 'b', auditEventId: 'audit-b' }],
      [JobName.LeakFollowUp, { keyId: 'd', auditEventId: 'audit-d' }],
      [JobName.LeakFollowUp, { keyId: 'c', auditEventId: 'audit-c' }],
    ]);
  });
});
