import type { AuditEvent, Notification, Page } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('notifications and audit on %s', (kind) => {
  const suite = useTestApi(kind);

  it('records key.created, key.rotated and key.revoked, newest first, filtered by key', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token);
    const other = await suite.api.createKey(token);
    await suite.api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
    const events = await suite.api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token });
    expect(events.body.data.map((e) => e.type).sort()).toEqual(['key.created', 'key.revoked', 'key.rotated']);
    expect(events.body.data.every((e) => e.apiKeyId === apiKey.id && e.actor === 'user')).toBe(true);
    const all = await suite.api.request<Page<AuditEvent>>('GET', '/v1/audit-events?limit=200', { token });
    expect(all.body.data.some((e) => e.apiKeyId === other.apiKey.id)).toBe(true);
    const times = all.body.data.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('shows nothing of another user’s trail, even asked by key id', async () => {
    const alice = await suite.api.signUp();
    const bob = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(alice.token);
    const answer = await suite.api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token: bob.token });
    expect(answer.body.data).toEqual([]);
  });

  it('lists unread notifications and marks one read; another user’s answers 404', async () => {
    const alice = await suite.api.signUp();
    const bob = await suite.api.signUp();
    const { secret } = await suite.api.createKey(alice.token);
    await suite.api.request('POST', '/v1/leaks', { body: { key: secret, source: 'manual' } });
    const unread = await suite.api.request<Page<Notification>>('GET', '/v1/notifications?unread=true', { token: alice.token });
    expect(unread.body.data).toHaveLength(1);
    const id = unread.body.data[0]!.id;
    expect((await suite.api.request('POST', `/v1/notifications/${id}/read`, { token: bob.token })).status).toBe(404);
    const read = await suite.api.request<Notification>('POST', `/v1/notifications/${id}/read`, { token: alice.token });
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    expect((await suite.api.request<Page<Notification>>('GET', '/v1/notifications?unread=true', { token: alice.token })).body.data).toEqual([]);
    const again = await suite.api.request<Notification>('POST', `/v1/notifications/${id}/read`, { token: alice.token });
    expect(again.body.readAt).toBe(read.body.readAt);
  });

  it('keeps notifications and audit for sessions: an API key gets 403 session_required', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token, { scope: 'read_write' });
    for (const path of ['/v1/notifications', '/v1/audit-events']) {
      const answer = await suite.api.request('GET', path, { token: secret });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('session_required');
    }
    expect((await suite.api.request('GET', '/v1/notifications?unread=maybe', { token })).status).toBe(400);
  });
});
