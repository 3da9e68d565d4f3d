import { type Session, sessionFor } from './session.js';

/** An API answer as the handlers use it; `withSession` says whether the session went along. */
export interface Answer<T> {
  ok: boolean;
  status: number;
  body: T | null;
  withSession: boolean;
}

/** Where the client reads the API address and keeps the session (chrome.storage in the worker). */
export interface ApiDeps {
  fetch: typeof fetch;
  apiUrl(): Promise<string>;
  session: { read(): Promise<Session | undefined>; drop(): Promise<void> };
}

/**
 * The extension's client for the configured API. The session goes along only to the origin that
 * issued it (one for another origin is dropped, never sent), and a 401 to a request made with it
 * drops it: the extension then shows signed out instead of failing on every later request.
 */
export function createApi(deps: ApiDeps) {
  async function request<T>(path: string, init: RequestInit = {}, anonymous = false): Promise<Answer<T>> {
    const apiUrl = await deps.apiUrl();
    const stored = await deps.session.read();
    const session = sessionFor(stored, apiUrl);
    if (stored && !session) await deps.session.drop();
    const token = anonymous ? undefined : session?.token;
    const response = await deps.fetch(new URL(path, apiUrl), {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
    });
    // Only the session that got the 401 is dropped, not one signed in meanwhile.
    if (token && response.status === 401 && (await deps.session.read())?.token === token) await deps.session.drop();
    return { ok: response.ok, status: response.status, body: (await response.json().catch(() => null)) as T | null, withSession: token !== undefined };
  }

  /** `POST /v1/leaks`. A stale session never stops a report: after a 401 to it, the report goes again without it. */
  async function reportLeak<T>(body: string): Promise<Answer<T>> {
    const first = await request<T>('/v1/leaks', { method: 'POST', body });
    return first.status === 401 && first.withSession ? request<T>('/v1/leaks', { method: 'POST', body }, true) : first;
  }

  return { request, reportLeak };
}
