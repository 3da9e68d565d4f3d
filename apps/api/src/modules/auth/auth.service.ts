import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JobName, type LoginRequest, type LoginResponse, type RegisterRequest, type User } from '@tradetally/contracts';
import { SessionsRepository, type UserRecord, UsersRepository, isUniqueViolation } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { ApiError } from '../../common/api-error.js';
import { rateLimitIdentity } from '../../common/client-address.js';
import { MetricsService } from '../../common/metrics.service.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { hashSessionToken } from './credentials.service.js';
import { DeviceTokens, KNOWN_DEVICE_MS } from './device-token.js';
import { HashPool } from './hash-pool.js';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password.js';

/** A user as the API shows it. */
export function toUser(user: UserRecord): User {
  return {
    id: user.id,
    email: user.email,
    createdAt: user.createdAt.toISOString(),
    emailVerifiedAt: user.emailVerifiedAt ? user.emailVerifiedAt.toISOString() : null,
  };
}

@Injectable()
export class AuthService {
  private readonly hashes: HashPool;
  readonly devices: DeviceTokens;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {
    this.hashes = new HashPool(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE, config.PASSWORD_HASH_WAIT_MS);
    this.devices = new DeviceTokens(config);
  }

  async register(body: RegisterRequest, address: string): Promise<User> {
    await this.limits.consume('register', address);
    const user: UserRecord = {
      id: randomUUID(),
      email: body.email,
      passwordHash: await this.hashes.run(() => hashPassword(body.password)),
      createdAt: new Date(),
      emailVerifiedAt: null,
      emailTokenHash: null,
      emailTokenExpiresAt: null,
    };
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('email_taken', 'An account with this e-mail already exists.');
      throw error;
    }
    await this.jobs.add(JobName.SendConfirmation, { userId: user.id, requestedAt: user.createdAt.toISOString() });
    return toUser(user);
  }

  /**
   * Every attempt is counted before the password is checked, atomically in Redis (security.md
   * "Failed logins"): per (account, address), per account from anywhere, per address; IPv6
   * addresses by their /64. A device that signed in to this account within 30 days (its
   * `tt_device` cookie or `deviceToken`) is not counted against the account-wide ceiling, so a
   * distributed guess cannot lock the owner out; its pair limit still holds. A right password
   * gives its attempts back, so only failures accumulate. Hashes run in a small pool.
   */
  async login(body: LoginRequest, address: string, cookieDevice?: string): Promise<LoginResponse> {
    // The pair counts the address as every per-address limit does: an IPv6 client by its /64.
    const pair = `${body.email}|${rateLimitIdentity(address)}`;
    await this.limits.consume('loginAddress', address);
    await this.limits.consume('loginPair', pair);
    const user = await this.users.findByEmail(body.email);
    const device = user ? await this.knownDevice(user.id, [body.deviceToken, cookieDevice]) : null;
    if (!device) await this.limits.consume('loginAccount', body.email);
    const ok = await this.hashes.run(() => {
      this.metrics.passwordChecks.inc();
      return verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    });
    if (!user || !ok) throw new ApiError('invalid_credentials', 'The e-mail or the password is wrong.');
    await Promise.all([
      this.limits.refund('loginAddress', address),
      this.limits.refund('loginPair', pair),
      device ? undefined : this.limits.refund('loginAccount', body.email),
    ]);
    if (needsRehash(user.passwordHash)) await this.upgradeHash(user, body.password);
    const token = `tts_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const session = {
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.SESSION_TTL_HOURS * 3_600_000),
      client: body.client,
    };
    await this.sessions.insert(session);
    // A known device keeps its token; any other gets a new one. Either is now seen today.
    const deviceToken = device?.value ?? this.devices.issue();
    await this.sessions.rememberDevice(user.id, device?.hash ?? (this.devices.hashOf(deviceToken) as string), now);
    return { token, expiresAt: session.expiresAt.toISOString(), user: toUser(user), deviceToken };
  }

  /** The first presented device token that is signed by this API and known to this account in the last 30 days. */
  private async knownDevice(userId: string, presented: Array<string | undefined>): Promise<{ value: string; hash: string } | null> {
    const since = new Date(Date.now() - KNOWN_DEVICE_MS);
    for (const value of presented) {
      const hash = this.devices.hashOf(value);
      if (value && hash && (await this.sessions.isKnownDevice(userId, hash, since))) return { value, hash };
    }
    return null;
  }

  /** Re-hashes a legacy (scrypt or weaker argon2) hash with today's argon2id, after a right password. */
  private async upgradeHash(user: UserRecord, password: string): Promise<void> {
    const upgraded = await this.hashes.run(() => hashPassword(password));
    await this.users.replacePasswordHash(user.id, user.passwordHash, upgraded);
  }

  async logout(sessionId: string): Promise<void> {
    await this.sessions.delete(sessionId);
  }

  async me(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('unauthenticated', 'The account no longer exists.');
    return toUser(user);
  }
}
