import { type KeyObject, createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { IDEMPOTENCY_KEPT_MS, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, isIdempotencyKey } from '@tradetally/contracts';
import { type IdempotencyClaim, IdempotencyRepository } from '@tradetally/database';
import type { FastifyReply } from 'fastify';
import { type Observable, catchError, concatMap, from, of, throwError } from 'rxjs';
import { ApiError } from '../../common/api-error.js';
import { APP_CONFIG } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import type { AuthedRequest } from '../auth/access.decorator.js';

/** An answer as kept: the body as the route returned it (`null` for none). */
interface KeptAnswer {
  body: unknown;
}

/** What a request is, for "same key, same request": method, path and query, and the body's bytes. */
function requestDigest(request: AuthedRequest): string {
  const body = request.body;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? `s${body}` : `j${JSON.stringify(body ?? null)}`, 'utf8');
  return createHash('sha256').update(`${request.method} ${request.url}\n`).update(bytes).digest('hex');
}

/**
 * `Idempotency-Key` on every POST, for every route at once (a global interceptor: it runs after
 * the AuthGuard, so the credential is known). The first request with a key claims it for its
 * credential (an API key, or the user for sessions: keys are never shared across users) and its
 * answer is kept 24 hours; the same key with the same request answers that answer again with
 * `Idempotent-Replayed: true` and does nothing; another request under the key is 422
 * `idempotency_key_reused`; while the first still runs, 409 `idempotency_in_progress`. A request
 * that fails frees its key (a failed write changes nothing, so it may be sent again).
 *
 * The kept answer may hold a secret (a new API key), so it is stored encrypted (AES-256-GCM) under
 * a key derived from the pepper and the Idempotency-Key itself, which is stored only as a hash: the
 * database alone, or the database and the pepper without the caller's key, reveal nothing.
 * Requests without a credential (registration, sign-in, anonymous leak reports) are not kept.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly peppers: Map<string, KeyObject>;
  private readonly currentPepper: string;

  constructor(
    private readonly repository: IdempotencyRepository,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'peppers'>,
  ) {
    this.peppers = new Map(config.peppers.map((p) => [p.id, createSecretKey(Buffer.from(p.secret, 'utf8'))]));
    this.currentPepper = config.peppers[0]!.id;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthedRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (request.method !== 'POST' || header === undefined || !request.principal) return next.handle();
    const key = Array.isArray(header) ? header[0]! : header;
    if (!isIdempotencyKey(key)) {
      return throwError(() => new ApiError('validation_failed', `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters (a UUID, say).`));
    }
    const principal = request.principal;
    const scope = principal.kind === 'api_key' && principal.apiKeyId ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
    const keyHash = createHash('sha256').update(key, 'utf8').digest('hex');
    const digest = requestDigest(request);
    const reply = http.getResponse<FastifyReply>();
    return from(this.begin(scope, keyHash, digest)).pipe(
      concatMap((existing) => {
        if (existing) return of(this.replay(existing, key, digest, reply));
        return next.handle().pipe(
          concatMap((body: unknown) => from(this.keep(scope, keyHash, key, reply.statusCode, body)).pipe(concatMap(() => of(body)))),
          catchError((error: unknown) => from(this.repository.release(scope, keyHash)).pipe(concatMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Claims the key (null: this request runs), or the row another request made. */
  private async begin(scope: string, keyHash: string, digest: string) {
    const claim: IdempotencyClaim = { scope, keyHash, requestHash: this.mac(this.currentPepper, `request:${digest}`), pepperId: this.currentPepper };
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await this.repository.claim(claim, new Date(Date.now() - IDEMPOTENCY_KEPT_MS))) return null;
      const existing = await this.repository.find(scope, keyHash);
      if (existing) return existing;
      // The row went between the claim and the look (its request failed and freed it): claim again.
    }
    throw new ApiError('idempotency_in_progress');
  }

  /** The kept answer again, or why not. */
  private replay(
    existing: { requestHash: string; pepperId: string; status: number | null; response: string | null },
    key: string,
    digest: string,
    reply: FastifyReply,
  ): unknown {
    // A pepper since removed cannot check the request or open the answer: as for another request.
    if (!this.peppers.has(existing.pepperId) || existing.requestHash !== this.mac(existing.pepperId, `request:${digest}`)) {
      throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used for another request; send a new key for a new request.');
    }
    if (existing.status === null || existing.response === null) {
      throw new ApiError('idempotency_in_progress', 'The first request with this Idempotency-Key is still running; retry shortly.', undefined, {
        'Retry-After': '1',
      });
    }
    const kept = JSON.parse(this.open(existing.pepperId, key, existing.response)) as KeptAnswer;
    reply.status(existing.status);
    reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return kept.body ?? undefined;
  }

  private async keep(scope: string, keyHash: string, key: string, status: number, body: unknown): Promise<void> {
    const kept: KeptAnswer = { body: body === undefined ? null : body };
    await this.repository.complete(scope, keyHash, status, this.seal(this.currentPepper, key, JSON.stringify(kept)));
  }

  private mac(pepperId: string, message: string): string {
    return createHmac('sha256', this.peppers.get(pepperId)!).update(message, 'utf8').digest('hex');
  }

  /** AES-256-GCM under HMAC(pepper, Idempotency-Key): `iv.tag.ciphertext`, base64url. */
  private seal(pepperId: string, key: string, plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(this.mac(pepperId, `response:${key}`), 'hex'), iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
  }

  private open(pepperId: string, key: string, stored: string): string {
    const [iv, tag, sealed] = stored.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(this.mac(pepperId, `response:${key}`), 'hex'), iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(sealed!), decipher.final()]).toString('utf8');
  }
}
