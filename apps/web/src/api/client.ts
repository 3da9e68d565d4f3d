import {
  type ApiKey,
  type AuditEvent,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  type LoginResponse,
  type Notification,
  type Page,
  type ProblemDetails,
  type RotateApiKeyResponse,
  type User,
} from '@tradetally/contracts';

/** An error the API answered with: its problem details, for messages people can act on. */
export class ApiProblem extends Error {
  constructor(readonly problem: ProblemDetails) {
    // One line for the page: the detail, and the field problems when there are some.
    const fields = problem.errors?.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)) ?? [];
    super([problem.detail || problem.title, ...fields].join(' — '));
  }
}

// The session token lives in this tab's sessionStorage (gone when the tab closes). API key secrets
// never go to storage: they exist only while the one-time dialog shows them.
const TOKEN = 'tradetally.session';

export const session = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (token: string) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = session.get();
  const response = await fetch(path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    cache: 'no-store',
  });
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const problem = (data ?? { title: response.statusText, detail: `The server answered ${response.status}.`, status: response.status, code: 'internal_error', type: 'about:blank' }) as ProblemDetails;
    if (problem.code === 'unauthenticated') session.clear();
    throw new ApiProblem(problem);
  }
  return data as T;
}

/** The API, as the settings page uses it. Every shape comes from @tradetally/contracts. */
export const api = {
  register: (email: string, password: string) => call<{ user: User }>('POST', '/v1/auth/register', { email, password }),
  login: (email: string, password: string) => call<LoginResponse>('POST', '/v1/auth/login', { email, password }),
  logout: () => call<void>('POST', '/v1/auth/logout'),
  me: () => call<{ user: User }>('GET', '/v1/me'),
  verifyEmail: (token: string) => call<{ user: User }>('POST', '/v1/auth/verify-email', { token }),
  resendVerification: () => call<void>('POST', '/v1/auth/verify-email/resend'),
  keys: (status: 'active' | 'all') => call<Page<ApiKey>>('GET', `/v1/api-keys?limit=200&status=${status}`),
  createKey: (body: CreateApiKeyRequest) => call<CreateApiKeyResponse>('POST', '/v1/api-keys', body),
  revokeKey: (id: string) => call<ApiKey>('DELETE', `/v1/api-keys/${id}`),
  rotateKey: (id: string, gracePeriodMinutes: number) => call<RotateApiKeyResponse>('POST', `/v1/api-keys/${id}/rotate`, { gracePeriodMinutes }),
  notifications: () => call<Page<Notification>>('GET', '/v1/notifications?limit=50'),
  markRead: (id: string) => call<Notification>('POST', `/v1/notifications/${id}/read`),
  audit: (apiKeyId: string) => call<Page<AuditEvent>>('GET', `/v1/audit-events?limit=100&apiKeyId=${apiKeyId}`),
};
