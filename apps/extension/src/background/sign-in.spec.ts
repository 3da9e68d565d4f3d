import { beforeAll, describe, expect, it } from 'vitest';
import { stubI18n } from '../testing/i18n.js';
import { createApi } from './api.js';
import { type DeviceToken, signIn } from './sign-in.js';

const ORIGIN = 'https://api.tradetally.example';
const user = { id: '00000000-0000-0000-0000-000000000001', email: 'a@example.com', createdAt: '2026-01-01T00:00:00.000Z', emailVerifiedAt: null };

/** A fake API: answers each login with the next answer, and remembers the bodies it was sent. */
function fake(answers: Array<{ status: number; body: unknown }>, device?: DeviceToken) {
  let stored = device;
  const sent: Array<Record<string, unknown>> = [];
  const api = createApi({
    apiUrl: async () => ORIGIN,
    session: { read: async () => undefined, drop: async () => undefined },
    fetch: async (_url, init) => {
      sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      const answer = answers.shift() ?? { status: 500, body: {} };
      return new Response(JSON.stringify(answer.body), { status: answer.status });
    },
  });
  const deps = { request: api.request, device: { read: async () => stored, write: async (token: DeviceToken) => void (stored = token) } };
  return { deps, sent, stored: () => stored };
}

const ok = (extra: Record<string, unknown> = {}) => ({ status: 200, body: { token: 'tts_session', expiresAt: '2026-12-14T00:00:00.000Z', user, ...extra } });

describe('signIn', () => {
  beforeAll(stubI18n);

  it('keeps the device token the API answers, for that origin, and sends it on the next sign-in', async () => {
    const { deps, sent, stored } = fake([ok({ deviceToken: 'ttd_device' }), ok({ deviceToken: 'ttd_device' })]);
    expect(await signIn(deps, ORIGIN, 'a@example.com', 'pw')).toEqual({ ok: true, session: { token: 'tts_session', email: user.email, origin: ORIGIN } });
    expect(stored()).toEqual({ token: 'ttd_device', origin: ORIGIN });
    expect(sent[0]).not.toHaveProperty('deviceToken');
    await signIn(deps, ORIGIN, 'a@example.com', 'pw');
    expect(sent[1]).toEqual({ email: 'a@example.com', password: 'pw', client: 'extension', deviceToken: 'ttd_device' });
  });

  it('never sends one origin’s device token to another', async () => {
    const { deps, sent } = fake([ok()], { token: 'ttd_device', origin: 'https://elsewhere.example' });
    await signIn(deps, ORIGIN, 'a@example.com', 'pw');
    expect(sent[0]).not.toHaveProperty('deviceToken');
  });

  it('signs in with an API that answers no device token, and keeps the one it had', async () => {
    const { deps, stored } = fake([ok()], { token: 'ttd_device', origin: ORIGIN });
    expect((await signIn(deps, ORIGIN, 'a@example.com', 'pw')).ok).toBe(true);
    expect(stored()).toEqual({ token: 'ttd_device', origin: ORIGIN });
  });

  it('signs in again without the token when an API refuses it as an unknown field', async () => {
    const { deps, sent } = fake([{ status: 400, body: { code: 'validation_failed', title: 'Invalid request' } }, ok()], {
      token: 'ttd_device',
      origin: ORIGIN,
    });
    expect((await signIn(deps, ORIGIN, 'a@example.com', 'pw')).ok).toBe(true);
    expect(sent.map((body) => 'deviceToken' in body)).toEqual([true, false]);
  });

  it('says what the API said when the sign-in fails, and keeps no token from a failure', async () => {
    const { deps, stored } = fake([{ status: 401, body: { code: 'invalid_credentials', detail: 'Wrong e-mail or password.', deviceToken: 'ttd_x' } }]);
    expect(await signIn(deps, ORIGIN, 'a@example.com', 'pw')).toEqual({ ok: false, error: 'Wrong e-mail or password.' });
    expect(stored()).toBeUndefined();
  });
});
