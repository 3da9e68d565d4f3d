import { describe, expect, it } from 'vitest';
import { createApi } from './api.js';
import type { Session } from './session.js';

const ORIGIN = 'http://127.0.0.1:3000';
const session: Session = { token: 'tts_extension_session', email: 'a@example.com', origin: ORIGIN };

/** A fake API: answers each request with the next status, and remembers what it was sent. */
function fake(statuses: number[], options: { apiUrl?: string; session?: Session } = {}) {
  let stored = options.session;
  const sent: Array<{ url: string; authorization: string | undefined }> = [];
  const api = createApi({
    apiUrl: async () => options.apiUrl ?? ORIGIN,
    session: { read: async () => stored, drop: async () => void (stored = undefined) },
    fetch: async (url, init) => {
      sent.push({ url: String(url), authorization: (init?.headers as Record<string, string>).authorization });
      const status = statuses.shift() ?? 500;
      return new Response(JSON.stringify(status === 202 ? { received: true } : { code: 'unauthorized' }), { status });
    },
  });
  return { api, sent, stored: () => stored };
}

describe('the extension’s API client', () => {
  it('sends the session to the origin that issued it', async () => {
    const { api, sent } = fake([200], { session });
    await api.request('/v1/me');
    expect(sent).toEqual([{ url: `${ORIGIN}/v1/me`, authorization: `Bearer ${session.token}` }]);
  });

  it('never sends it to another API address, and drops it', async () => {
    const { api, sent, stored } = fake([200], { session, apiUrl: 'https://elsewhere.example' });
    await api.request('/v1/me');
    expect(sent[0]?.authorization).toBeUndefined();
    expect(stored()).toBeUndefined();
  });

  it('drops the session when the API answers 401 to it', async () => {
    const { api, stored } = fake([401], { session });
    expect((await api.request('/v1/api-keys')).status).toBe(401);
    expect(stored()).toBeUndefined();
  });

  it('re-sends a leak report anonymously after a 401 to the session, and it is received', async () => {
    const { api, sent, stored } = fake([401, 202], { session });
    const answer = await api.reportLeak('{"key":"tt_live_…"}');
    expect(answer).toMatchObject({ ok: true, status: 202, withSession: false });
    expect(sent.map((s) => s.authorization)).toEqual([`Bearer ${session.token}`, undefined]);
    expect(stored()).toBeUndefined();
  });

  it('does not repeat an anonymous report the API refused', async () => {
    const { api, sent } = fake([401]);
    expect((await api.reportLeak('{}')).status).toBe(401);
    expect(sent).toHaveLength(1);
  });
});
