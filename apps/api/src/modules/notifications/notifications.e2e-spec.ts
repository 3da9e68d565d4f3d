import type { AuditEvent, Notification, Page } from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, type TestDatabase, createTestDatabase, startApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('notifications and audit on %s', (kind) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    api = await startApi(database.url);
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  it('records key.created, key.rotated and key.revoked, newest first, filtered by key', async () => {
    const { token } = await api.signUp();
    const { apiKey } = await api.createKey(token);
    const other = await api.createKey(token);
    await api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
    const events = await api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token });
    expect(events.body.data.map((e) => e.type).sort()).toEqual(['key.created', 'key.revoked', 'key.rotated']);
    expect(events.body.data.every((e) => e.apiKeyId === apiKey.id && e.actor === 'user')).toBe(true);
    const all = await api.request<Page<AuditEvent>>('GET', '/v1/audit-events?limit=200', { token });
    expect(all.body.data.some((e) => e.apiKeyId === other.apiKey.id)).toBe(true);
    const times = all.body.data.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('shows nothing of another user’s trail, even asked by key id', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const { apiKey } = await api.createKey(alice.token);
    const answer = await api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token: bob.token });
    expect(answer.body.data).toEqual([]);
  });

  it('lists unread notifications and marks one read; another user’s answers 404', async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const { secret } = await api.createKey(alice.token);
    await api.request('POST', '/v1/leaks', { body: { key: secret, source: 'manual' } });
    const unread = await api.request<Page<Notification>>('GET', '/v1/notifications?unread=true', { token: alice.token });
    expect(unread.body.data).toHaveLength(1);
    const id = unread.body.data[0]!.id;
    expect((await api.request('POST', `/v1/notifications/${id}/read`, { token: bob.token })).status).toBe(404);
    const read = await api.request<Notification>('POST', `/v1/notifications/${id}/read`, { token: alice.token });
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    expect((await api.request<Page<Notification>>('GET', '/v1/notifications?unread=true', { token: alice.token })).body.data).toEqual([]);
    const again = await api.request<Notification>('POST', `/v1/notifications/${id}/read`, { token: alice.token });
    expect(again.body.readAt).toBe(read.body.readAt);
  });

  it('keeps notifications and audit for sessions: an API key gets 403 session_required', async () => {
    const { token } = await api.signUp();
    const { secret } = await api.createKey(token, { scope: 'read_write' });
    for (const path of ['/v1/notifications', '/v1/audit-events']) {
      const answer = await api.request('GET', path, { token: secret });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('session_required');
    }
    expect((await api.request('GET', '/v1/notifications?unread=maybe', { token })).status).toBe(400);
  });
});
