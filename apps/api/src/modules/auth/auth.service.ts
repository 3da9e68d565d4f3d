import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { LoginRequest, LoginResponse, RegisterRequest, User } from '@tradetally/contracts';
import { type Db, SessionEntity, UserEntity } from '@tradetally/database';
import { ApiError } from '../../common/api-error.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { hashSessionToken } from './credentials.service.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';

/** A user as the API shows it. */
export function toUser(entity: UserEntity): User {
  return { id: entity.id, email: entity.email, createdAt: entity.createdAt.toISOString() };
}

/** Unique-constraint violations on either driver. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    private readonly limits: RateLimitService,
  ) {}

  async register(body: RegisterRequest, address: string): Promise<User> {
    await this.limits.consume('register', address);
    const user: UserEntity = Object.assign(new UserEntity(), {
      id: randomUUID(),
      email: body.email,
      passwordHash: await hashPassword(body.password),
      createdAt: new Date(),
    });
    try {
      await this.db.manager.insert(UserEntity, user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('email_taken', 'An account with this e-mail already exists.');
      throw error;
    }
    return toUser(user);
  }

  async login(body: LoginRequest, address: string): Promise<LoginResponse> {
    await this.limits.assertNotBlocked('loginAddress', address);
    await this.limits.assertNotBlocked('loginAccount', body.email);
    const user = await this.db.manager.findOneBy(UserEntity, { email: body.email });
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.limits.consume('loginAddress', address);
      await this.limits.consume('loginAccount', body.email);
      throw new ApiError('invalid_credentials', 'The e-mail or the password is wrong.');
    }
    const token = `tts_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const session: SessionEntity = Object.assign(new SessionEntity(), {
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashSessionToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.SESSION_TTL_HOURS * 3_600_000),
    });
    await this.db.manager.insert(SessionEntity, session);
    return { token, expiresAt: session.expiresAt.toISOString(), user: toUser(user) };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.manager.delete(SessionEntity, { id: sessionId });
  }

  async me(userId: string): Promise<User> {
    const user = await this.db.manager.findOneBy(UserEntity, { id: userId });
    if (!user) throw new ApiError('unauthenticated', 'The account no longer exists.');
    return toUser(user);
  }
}
