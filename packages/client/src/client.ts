import type {
  ApiKey,
  ApiKeySelf,
  AuditEvent,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  CreateTradeRequest,
  HealthResponse,
  ImportResult,
  LeakReportRequest,
  LeakReportResponse,
  ListApiKeysQuery,
  ListAuditEventsQuery,
  ListTradesQuery,
  LoginRequest,
  LoginResponse,
  Notification,
  Page,
  RegisterRequest,
  RotateApiKeyRequest,
  RotateApiKeyResponse,
  SelfRotateRequest,
  SelfRotateResponse,
  Trade,
  UpdateApiKeyRequest,
  UpdateTradeRequest,
  UsageResponse,
  User,
} from '@tradetally/contracts';
import { IDEMPOTENCY_KEY_HEADER } from '@tradetally/contracts';
import { TradeTallyError, maskSecret, parseRetryAfter } from './errors.js';

/** The `fetch` the client calls: the platform's, or one you pass (tests, proxies, instrumentation). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How to reach the API and as whom. */
export interface TradeTallyClientOptions {
  /** Where the API is, e.g. `https://tradetally.example.com` (no `/v1`). */
  baseUrl: string;
  /** An API key (`tt_live_…`/`tt_test_…`) for journal and self-service routes. */
  apiKey?: string | null;
  /** A session token for key management; a function is asked on every request (e.g. read from storage). */
  sessionToken?: string | null | (() => string | null | undefined);
  /** Replaces the global `fetch`. */
  fetch?: FetchLike;
  /**
   * Retries of a 429/503 (any method), or of another 5xx/network failure (GET); a POST is sent
   * once more after a network failure, with the same Idempotency-Key. Default 2.
   */
  retries?: number;
  /** A `Retry-After` longer than this many seconds is not waited out: the call throws instead. Default 60. */
  maxRetryAfterSeconds?: number;
  /** An attempt without an answer after this many milliseconds fails as `network_error` (a hung connection must not hang the integration). Default 30000. */
  timeoutMs?: number;
}

/** Which credential a route takes: an API key, a session, either, or none. */
type Credential = 'key' | 'session' | 'any' | 'none';

/** Query values; undefined and null are left out. */
type QueryValues = Record<string, string | number | boolean | null | undefined>;

/** One request as the client's methods describe it. */
export interface RequestOptions {
  /** Appended as a query string; undefined and null values are left out. */
  query?: QueryValues;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType` (default `text/plain`). */
  text?: string;
  contentType?: string;
  /** Which credential to send (default: the API key if there is one, else the session). */
  credential?: Credential;
}

/** Query of `GET /v1/trades` as a caller writes it: every field optional. */
export type TradeQuery = Partial<ListTradesQuery>;

/** Query of `GET /v1/api-keys` as a caller writes it. */
export type KeyQuery = Partial<ListApiKeysQuery>;

/** Query of `GET /v1/notifications` as a caller writes it. */
export type NotificationQuery = {
  unread?: boolean;
  limit?: number;
  cursor?: string;
};

const BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_RETRY_AFTER = 60;
const DEFAULT_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** True for statuses where the server did nothing and says when to come back: safe to repeat any method. */
const isRefusal = (status: number) => status === 429 || status === 503;

/**
 * The TradeTally Keys API, typed from `@tradetally/contracts`. Errors are `TradeTallyError`s; 429
 * and 503 are retried after `Retry-After`; a write is never sent twice otherwise. The key and the
 * session token are private fields: printing, inspecting or serialising the client shows
 * `prefix…last4` only.
 */
export class TradeTallyClient {
  readonly baseUrl: string;
  readonly retries: number;
  readonly maxRetryAfterSeconds: number;
  readonly timeoutMs: number;
  #apiKey: string | null;
  #session: string | null | (() => string | null | undefined);
  readonly #fetch: FetchLike;

  constructor(options: TradeTallyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey ?? null;
    this.#session = options.sessionToken ?? null;
    this.retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Bound late: a browser's fetch throws "Illegal invocation" when called detached from window.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The API key in use, for code that must store it (autoRotate); never print it. */
  get apiKey(): string | null {
    return this.#apiKey;
  }

  /** Switches to another API key (after a rotation), or drops it with null. */
  setApiKey(key: string | null): void {
    this.#apiKey = key;
  }

  /** The session token in use, if any. */
  get sessionToken(): string | null {
    const value = typeof this.#session === 'function' ? this.#session() : this.#session;
    return value ?? null;
  }

  /** Switches to another session token (a function is asked on every request), or drops it with null. */
  setSessionToken(token: string | null | (() => string | null | undefined)): void {
    this.#session = token;
  }

  /** A safe description: the key as `prefix…last4`, the session only as present or not. */
  toString(): string {
    const key = this.#apiKey ? `key ${maskSecret(this.#apiKey)}` : 'no key';
    return `TradeTallyClient(${this.baseUrl}, ${key}${this.sessionToken ? ', session' : ''})`;
  }

  /** What `JSON.stringify` writes: no secret. */
  toJSON(): { baseUrl: string; apiKey: string | null; session: boolean } {
    return { baseUrl: this.baseUrl, apiKey: this.#apiKey ? maskSecret(this.#apiKey) : null, session: this.sessionToken !== null };
  }

  /** What `console.log` and `util.inspect` show in Node: no secret. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** The credential header for a route, or none. */
  private authorization(credential: Credential): string | null {
    if (credential === 'none') return null;
    // The session is read only when needed: a function-backed one may read storage.
    const token = credential === 'session' ? (this.sessionToken ?? this.#apiKey) : (this.#apiKey ?? this.sessionToken);
    return token ? `Bearer ${token}` : null;
  }

  /**
   * Sends one request and answers its parsed body (undefined for 204). The typed methods all come
   * here; use it directly for a route the client does not wrap yet.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const label = `${method} ${path}`;
    let url = this.baseUrl + path;
    if (options.query) {
      let search = '';
      for (const name in options.query) {
        const value = options.query[name];
        if (value !== undefined && value !== null) search += `${search ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
      }
      url += search;
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = this.authorization(options.credential ?? 'any');
    if (authorization) headers.authorization = authorization;
    let body: string | undefined;
    if (options.text !== undefined) {
      body = options.text;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const idempotent = method === 'GET' || method === 'HEAD';
    // Every write names itself with a fresh key. A POST sent again with it after a network error is
    // answered with the first answer instead of being done twice (the API keeps POST answers).
    if (!idempotent) headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] = globalThis.crypto.randomUUID();
    const retriedWrite = method === 'POST';
    let writeRetried = false;

    for (let attempt = 0; ; attempt++) {
      const left = attempt < this.retries;
      let answer: { status: number; ok: boolean; retryAfter: string | null; requestId: string | null; text: string };
      // One timer per attempt, cleared once the body is read: AbortSignal.timeout() costs ~20 µs a call.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        const response = await this.#fetch(url, { method, headers, body, cache: 'no-store', signal: controller.signal });
        answer = {
          status: response.status,
          ok: response.ok,
          retryAfter: response.headers.get('retry-after'),
          requestId: response.headers.get('request-id'),
          text: await response.text(),
        };
      } catch (cause) {
        // The request may have reached the server: only a read may be sent again.
        if (idempotent && left) {
          await sleep(Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** attempt));
          continue;
        }
        // A write is sent once more with the same Idempotency-Key: done twice, it is still done once.
        if (retriedWrite && left && !writeRetried && !controller.signal.aborted) {
          writeRetried = true;
          await sleep(BACKOFF_MS);
          continue;
        }
        const reason = cause instanceof Error ? (cause.cause instanceof Error ? `${cause.message}: ${cause.cause.message}` : cause.message) : String(cause);
        throw new TradeTallyError({ status: 0, code: 'network_error', detail: `No answer from ${this.baseUrl} (${reason}).`, request: label, cause });
      } finally {
        clearTimeout(timer);
      }
      if (answer.ok) {
        if (answer.status === 204 || answer.text === '') return undefined as T;
        try {
          return JSON.parse(answer.text) as T;
        } catch (cause) {
          // A proxy's page where the API's JSON should be: typed like any other failure, never a SyntaxError.
          throw new TradeTallyError({
            status: answer.status,
            code: 'internal_error',
            detail: 'The answer was not JSON.',
            request: label,
            requestId: answer.requestId,
            cause,
          });
        }
      }
      const retryAfter = parseRetryAfter(answer.retryAfter);
      if (left && (isRefusal(answer.status) || (idempotent && answer.status >= 500))) {
        if (retryAfter === null || retryAfter <= this.maxRetryAfterSeconds) {
          await sleep(retryAfter !== null ? retryAfter * 1000 : Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** attempt));
          continue;
        }
      }
      let parsed: unknown = null;
      try {
        parsed = answer.text ? JSON.parse(answer.text) : null;
      } catch {
        // Not problem details (a proxy's error page): the status decides the code.
      }
      throw TradeTallyError.fromAnswer(answer.status, parsed, retryAfter, label, answer.requestId);
    }
  }

  /** Every item of a list route, page after page, following `nextCursor` to the end. */
  private async *pages<T>(path: string, query: QueryValues, credential: Credential): AsyncGenerator<T, void, undefined> {
    let cursor: string | undefined = typeof query.cursor === 'string' ? query.cursor : undefined;
    do {
      const page: Page<T> = await this.request<Page<T>>('GET', path, { query: { ...query, cursor }, credential });
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /** The journal: an API key (read or read_write) or a session. */
  readonly trades = {
    /** One page of trades, newest `executedAt` first. */
    list: (query: TradeQuery = {}) => this.request<Page<Trade>>('GET', '/v1/trades', { query }),
    /** Every trade matching `query`, following pages to the last. */
    iterate: (query: TradeQuery = {}): AsyncGenerator<Trade, void, undefined> => this.pages<Trade>('/v1/trades', { ...query }, 'any'),
    /** One trade. */
    get: (id: string) => this.request<Trade>('GET', `/v1/trades/${encodeURIComponent(id)}`),
    /** Records a trade. */
    create: (trade: CreateTradeRequest) => this.request<Trade>('POST', '/v1/trades', { json: trade }),
    /** Changes a trade. */
    update: (id: string, patch: UpdateTradeRequest) => this.request<Trade>('PATCH', `/v1/trades/${encodeURIComponent(id)}`, { json: patch }),
    /** Deletes a trade. */
    delete: (id: string) => this.request<void>('DELETE', `/v1/trades/${encodeURIComponent(id)}`),
    /** Imports a CSV text (header `symbol,side,quantity,price,executedAt[,fees,notes,externalId]`) or trade objects. */
    import: (input: string | CreateTradeRequest[]) =>
      typeof input === 'string'
        ? this.request<ImportResult>('POST', '/v1/trades/import', { text: input, contentType: 'text/csv' })
        : this.request<ImportResult>('POST', '/v1/trades/import', { json: { trades: input } }),
  };

  /** API keys: `self` and `rotateSelf` with the key itself, the rest with a session. */
  readonly keys = {
    /** The calling key (API key only). */
    self: () => this.request<ApiKeySelf>('GET', '/v1/api-keys/self', { credential: 'key' }),
    /** Replaces the calling key (it must allow `selfRotate`); the old one works for the grace period (default 60 minutes). */
    rotateSelf: (body: SelfRotateRequest = {}) => this.request<SelfRotateResponse>('POST', '/v1/api-keys/self/rotate', { json: body, credential: 'key' }),
    /** One page of your keys, newest first. */
    list: (query: KeyQuery = {}) => this.request<Page<ApiKey>>('GET', '/v1/api-keys', { query, credential: 'session' }),
    /** Every key of yours, following pages to the last. */
    iterate: (query: KeyQuery = {}): AsyncGenerator<ApiKey, void, undefined> => this.pages<ApiKey>('/v1/api-keys', { ...query }, 'session'),
    /** Creates a key; `secret` is in this answer only. */
    create: (body: CreateApiKeyRequest) => this.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { json: body, credential: 'session' }),
    /** One key. */
    get: (id: string) => this.request<ApiKey>('GET', `/v1/api-keys/${encodeURIComponent(id)}`, { credential: 'session' }),
    /** Renames a key or changes its allowed addresses (`allowedIps: null` clears them). */
    update: (id: string, patch: UpdateApiKeyRequest) =>
      this.request<ApiKey>('PATCH', `/v1/api-keys/${encodeURIComponent(id)}`, { json: patch, credential: 'session' }),
    /** Revokes a key at once. */
    revoke: (id: string) => this.request<ApiKey>('DELETE', `/v1/api-keys/${encodeURIComponent(id)}`, { credential: 'session' }),
    /** Replaces a key; the old one works until `previous.graceEndsAt`. */
    rotate: (id: string, body: RotateApiKeyRequest = {}) =>
      this.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${encodeURIComponent(id)}/rotate`, { json: body, credential: 'session' }),
    /** Accepted and refused uses per UTC day, oldest first (`days` 1..90, default 30). */
    usage: (id: string, query: { days?: number } = {}) =>
      this.request<UsageResponse>('GET', `/v1/api-keys/${encodeURIComponent(id)}/usage`, { query, credential: 'session' }),
    /** Which of your keys a whole key is (any status); 404 not_found when it is not yours. */
    lookup: (key: string) => this.request<ApiKey>('POST', '/v1/api-keys/lookup', { json: { key }, credential: 'session' }),
  };

  /** Leak reports: anonymous, or with a session to learn which of your keys were revoked. */
  readonly leaks = {
    /** Reports a leaked key or a text holding keys; the same answer for hit and miss. */
    report: (body: LeakReportRequest) => this.request<LeakReportResponse>('POST', '/v1/leaks', { json: body, credential: 'session' }),
  };

  /** Accounts and sessions. `login` makes the client use the new session; `logout` drops it. */
  readonly auth = {
    /** Creates an account (a confirmation e-mail follows). */
    register: (body: RegisterRequest) => this.request<{ user: User }>('POST', '/v1/auth/register', { json: body, credential: 'none' }),
    /** Signs in; the client uses the session from now on (unless its session comes from a function: then the caller keeps it). */
    login: async (body: LoginRequest | Omit<LoginRequest, 'client'>): Promise<LoginResponse> => {
      const answer = await this.request<LoginResponse>('POST', '/v1/auth/login', { json: body, credential: 'none' });
      if (typeof this.#session !== 'function') this.#session = answer.token;
      return answer;
    },
    /** Ends the session; the client drops it even when the server already had. */
    logout: async (): Promise<void> => {
      try {
        await this.request<void>('POST', '/v1/auth/logout', { credential: 'session' });
      } finally {
        if (typeof this.#session !== 'function') this.#session = null;
      }
    },
    /** The signed-in user. */
    me: () => this.request<{ user: User }>('GET', '/v1/me', { credential: 'session' }),
    /** Confirms an e-mail address with the token of its confirmation link. */
    verifyEmail: (token: string) => this.request<{ user: User }>('POST', '/v1/auth/verify-email', { json: { token }, credential: 'none' }),
    /** Sends the confirmation e-mail again (3 an hour). */
    resendVerification: () => this.request<void>('POST', '/v1/auth/verify-email/resend', { credential: 'session' }),
  };

  /** Notifications about your keys (session). */
  readonly notifications = {
    /** One page of notifications, newest first. */
    list: (query: NotificationQuery = {}) => this.request<Page<Notification>>('GET', '/v1/notifications', { query, credential: 'session' }),
    /** Marks a notification read. */
    read: (id: string) => this.request<Notification>('POST', `/v1/notifications/${encodeURIComponent(id)}/read`, { credential: 'session' }),
  };

  /** What happened to your keys (session). */
  readonly audit = {
    /** One page of audit events, newest first; `apiKeyId` narrows to one key. */
    list: (query: Partial<ListAuditEventsQuery> = {}) => this.request<Page<AuditEvent>>('GET', '/v1/audit-events', { query, credential: 'session' }),
  };

  /** Whether the API and its dependencies answer. */
  health(): Promise<HealthResponse> {
    return this.request<HealthResponse>('GET', '/v1/health', { credential: 'none' });
  }
}
