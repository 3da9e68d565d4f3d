import { type ClientErrorCode, TradeTallyClient, TradeTallyError } from '@tradetally/client';
import type { CreateApiKeyRequest, FieldError, UpdateApiKeyRequest } from '@tradetally/contracts';

/** What the API answered when a call failed: enough for a message people can act on. */
export interface Problem {
  status: number;
  code: ClientErrorCode;
  detail: string;
  errors: FieldError[];
}

/** An error the API answered with (or no answer): its problem, and one line the page can show. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    // One line for the page: the detail, and the field problems when there are some.
    const fields = problem.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    super([problem.detail, ...fields].join(' — '));
  }
}

/**
 * Where the session token lives: this tab's sessionStorage (gone when the tab closes). API key
 * secrets never go to storage: they exist only while the one-time dialog shows them.
 */
export const SESSION_STORAGE_KEY = 'tradetally.session';

export const session = {
  get: () => sessionStorage.getItem(SESSION_STORAGE_KEY),
  set: (token: string) => sessionStorage.setItem(SESSION_STORAGE_KEY, token),
  clear: () => sessionStorage.removeItem(SESSION_STORAGE_KEY),
};

// Same origin as the page (or Vite's proxy in development); the token is read from storage on every
// call, so signing in or out anywhere in the tab takes effect at once.
const client = new TradeTallyClient({ baseUrl: '', sessionToken: () => session.get() });

/** Runs a call; a TradeTallyError becomes an ApiProblem, and a lost session is forgotten. */
async function call<T>(run: (tt: TradeTallyClient) => Promise<T>): Promise<T> {
  try {
    return await run(client);
  } catch (error) {
    if (!(error instanceof TradeTallyError)) throw error;
    if (error.code === 'unauthenticated') session.clear();
    const detail = error.code === 'network_error' ? 'The server did not answer. Check the connection and try again.' : error.detail;
    throw new ApiProblem({ status: error.status, code: error.code, detail, errors: error.errors });
  }
}

/** The API, as the settings page uses it: @tradetally/client underneath, every shape from the contracts. */
export const api = {
  register: (email: string, password: string) => call((tt) => tt.auth.register({ email, password })),
  login: (email: string, password: string) => call((tt) => tt.auth.login({ email, password })),
  logout: () => call((tt) => tt.auth.logout()),
  me: () => call((tt) => tt.auth.me()),
  verifyEmail: (token: string) => call((tt) => tt.auth.verifyEmail(token)),
  resendVerification: () => call((tt) => tt.auth.resendVerification()),
  keys: (status: 'active' | 'all') => call((tt) => tt.keys.list({ limit: 200, status })),
  createKey: (body: CreateApiKeyRequest) => call((tt) => tt.keys.create(body)),
  updateKey: (id: string, body: UpdateApiKeyRequest) => call((tt) => tt.keys.update(id, body)),
  usage: (id: string, days = 30) => call((tt) => tt.keys.usage(id, { days })),
  revokeKey: (id: string) => call((tt) => tt.keys.revoke(id)),
  rotateKey: (id: string, gracePeriodMinutes: number) => call((tt) => tt.keys.rotate(id, { gracePeriodMinutes })),
  notifications: () => call((tt) => tt.notifications.list({ limit: 50 })),
  markRead: (id: string) => call((tt) => tt.notifications.read(id)),
  audit: (apiKeyId: string) => call((tt) => tt.audit.list({ limit: 100, apiKeyId })),
};
