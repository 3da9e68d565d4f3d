import type { LoginRequest, LoginResponse } from '@tradetally/contracts';
import { t } from '../shared/i18n.js';
import type { createApi } from './api.js';
import type { Session } from './session.js';

/**
 * The device token a successful sign-in answers: it proves this browser signed in before (so the
 * owner is not locked out when the account's sign-in ceiling is reached), not a session, and is
 * kept in chrome.storage.local with the origin that issued it, the only one it is sent to.
 */
export interface DeviceToken {
  token: string;
  origin: string;
}

/** What the sign-in needs: the API client and where the device token lives. */
export interface SignInDeps {
  request: ReturnType<typeof createApi>['request'];
  device: { read(): Promise<DeviceToken | undefined>; write(device: DeviceToken): Promise<void> };
}

/** The login answer as the extension reads it: the contract's fields (an older API sends no device token), or a problem's text. */
type LoginAnswer = Partial<LoginResponse> & { code?: string; detail?: string; title?: string };

/** A sign-in's outcome: the new session, or the text to show. */
export type SignInResult = { ok: true; session: Session } | { ok: false; error: string };

/**
 * Signs in at `origin` as an extension session, presenting this browser's device token for that
 * origin when it has one and keeping the one the API answers. An API that does not know
 * `deviceToken` refuses the field as unknown (400 validation_failed): the sign-in then goes again
 * without it, so an older API still signs in.
 */
export async function signIn(deps: SignInDeps, origin: string, email: string, password: string): Promise<SignInResult> {
  const stored = await deps.device.read();
  const deviceToken = stored?.origin === origin ? stored.token : undefined;
  const attempt = (device: string | undefined) => {
    const body: LoginRequest = { email, password, client: 'extension', ...(device ? { deviceToken: device } : {}) };
    return deps.request<LoginAnswer>('/v1/auth/login', { method: 'POST', body: JSON.stringify(body) }, true).catch(() => null);
  };
  let answer = await attempt(deviceToken);
  if (answer && deviceToken && answer.status === 400 && answer.body?.code === 'validation_failed') answer = await attempt(undefined);
  if (!answer) return { ok: false, error: t('errorUnreachable') };
  const body = answer.body;
  if (!answer.ok || !body?.token || !body.user) return { ok: false, error: body?.detail ?? body?.title ?? t('errorSignIn', answer.status) };
  if (typeof body.deviceToken === 'string' && body.deviceToken.length > 0 && body.deviceToken.length <= 1024)
    await deps.device.write({ token: body.deviceToken, origin });
  return { ok: true, session: { token: body.token, email: body.user.email, origin } };
}
