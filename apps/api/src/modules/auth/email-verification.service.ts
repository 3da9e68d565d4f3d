import { Inject, Injectable } from '@nestjs/common';
import { JobName, type User } from '@tradetally/contracts';
import { UsersRepository, hashOpaqueToken } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { ApiError } from '../../common/api-error.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { toUser } from './auth.service.js';

/**
 * E-mail confirmation (http-api.md, security.md "E-mail that strangers cannot abuse"). The worker
 * makes each token and e-mails it (at most 5 confirmation e-mails per address a day, whoever asks);
 * here a token is checked by its hash, used once, within 24 hours.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersRepository,
    private readonly limits: RateLimitService,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  async verify(token: string): Promise<User> {
    const tokenHash = hashOpaqueToken(token);
    const now = new Date();
    const invalid = new ApiError('invalid_token', 'This confirmation link is unknown, already used or expired; ask for a new one from the settings page.');
    const user = await this.users.findByEmailToken(tokenHash);
    if (!user || !user.emailTokenExpiresAt || user.emailTokenExpiresAt.getTime() <= now.getTime()) throw invalid;
    // Single use: the update only wins while the row still holds this token.
    if (!(await this.users.confirmEmail(user.id, tokenHash, now))) throw invalid;
    return toUser({ ...user, emailVerifiedAt: now });
  }

  /**
   * Sends the link again (202), at most 3 times an hour per account; a confirmed address gets
   * nothing, and neither does an address that has had its 5 confirmations today (the worker
   * decides; the answer is the same, so it tells nothing).
   */
  async resend(userId: string): Promise<void> {
    await this.limits.consume('emailResend', userId);
    const user = await this.users.findById(userId);
    if (!user || user.emailVerifiedAt) return;
    await this.jobs.add(JobName.SendConfirmation, { userId: user.id, requestedAt: new Date().toISOString() });
  }
}
