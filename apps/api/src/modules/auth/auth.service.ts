import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JobName, type LoginRequest, type LoginResponse, type RegisterRequest, type User } from '@tradetally/contracts';
import { type Db, SessionEntity, UserEntity } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { ApiError } from '../../common/api-error.js';
import { MetricsService } from '../../common/metrics.service.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { hashSessionToken } from './credentials.service.js';
import { HashPool } from './hash-pool.js';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password.js';

/** A user as the API shows it. */
export function toUser(entity: UserEntity): User {
  return {
    id: entity.id,
    email: entity.email,
    createdAt: entity.createdAt.toISOString(),
    emailVerifiedAt: entity.emailVerifiedAt ? entity.emailVerifiedAt.toISOString() : null,
  };
}

/** Unique-constraint violations on either driver. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

@Injectable()
export class AuthService {
  private readonly hashes: HashPool;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {
    this.hashes = new HashPool(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE, config.PASSWORD_HASH_WAIT_MS);
  }

  async register(body: RegisterRequest, address: string): Promise<User> {
    await this.limits.consume('register', address);
    const user: UserEntity = Object.assign(new UserEntity(), {
      id: randomUUID(),
      email: body.email,
      passwordHash: await this.hashes.run(() => hashPassword(body.password)),
      createdAt: new Date(),
      emailVerifiedAt: null,
      emailTokenHash: null,
      emailTokenExpiresAt: null,
    });
    try {
      await this.db.write((manager) => manager.insert(UserEntity, user));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('email_taken', 'An account with this e-mail already exists.');
      throw error;
    }
    await this.jobs.add(JobName.SendConfirmation, { userId: user.id, requestedAt: user.createdAt.toISOString() });
    return toUser(user);
  }

  /**
   * Every attempt is counted before the password is checked, atomically in Redis (security.md
   * "Failed logins"): per (account, address), per account from anywhere, per address. A right
   * password gives its attempt back, so only failures accumulate. Hashes run in a small pool.
   */
  async login(body: LoginRequest, address: string): Promise<LoginResponse> {
    const pair = `${body.email}|${address}`;
    await this.limits.consume('loginAddress', address);
    await this.limits.consume('loginPair', pair);
    await this.limits.consume('loginAccount', body.email);
    const user = await this.db.manager.findOneBy(UserEntity, { email: body.email });
    const ok = await this.hashes.run(() => {
      this.metrics.passwordChecks.inc();
      return verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    });
    if (!user || !ok) throw new ApiError('invalid_credentials', 'The e-mail or the password is wrong.');
    await Promise.all([this.limits.refund('loginAddress', address), this.limits.refund('loginPair', pair), this.limits.refund('loginAccount', body.email)]);
    if (needsRehash(user.passwordHash)) await this.upgradeHash(user, body.password);
    const token = `tts_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const session: SessionEntity = Object.assign(new SessionEntity(), {
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.SESSION_TTL_HOURS * 3_600_000),
      client: body.client,
    });
    await this.db.write((manager) => manager.insert(SessionEntity, session));
    return { token, expiresAt: session.expiresAt.toISOString(), user: toUser(user) };
  }

  /** Re-hashes a legacy (scrypt or weaker argon2) hash with today's argon2id, after a right password. */
  private async upgradeHash(user: UserEntity, password: string): Promise<void> {
    const upgraded = await this.hashes.run(() => hashPassword(password));
    await this.db.query('UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3', [upgraded, user.id, user.passwordHash]);
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.write((manager) => manager.delete(SessionEntity, { id: sessionId }));
  }

  async me(userId: string): Promise<User> {
    const user = await this.db.manager.findOneBy(UserEntity, { id: userId });
    if (!user) throw new ApiError('unauthenticated', 'The account no longer exists.');
    return toUser(user);
  }
}
