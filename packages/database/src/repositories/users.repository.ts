import { randomUUID } from 'node:crypto';
import type { Db } from '../db.js';
import { type Row, type Tx, changed, insertRow, text } from './sql.js';

/** An account as stored. */
export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
  emailVerifiedAt: Date | null;
  /** SHA-256 of the newest confirmation token (never the token). */
  emailTokenHash: string | null;
  emailTokenExpiresAt: Date | null;
}

const SELECT = 'SELECT id, email, password_hash, created_at, email_verified_at, email_token_hash, email_token_expires_at FROM users';

/** The `users` table: accounts, their password hashes and e-mail confirmation. */
export class UsersRepository {
  constructor(private readonly db: Db) {}

  private decode = (row: Row): UserRecord => ({
    id: String(row.id),
    email: String(row.email),
    passwordHash: String(row.password_hash),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
    emailVerifiedAt: this.db.date(row.email_verified_at),
    emailTokenHash: text(row.email_token_hash),
    emailTokenExpiresAt: this.db.date(row.email_token_expires_at),
  });

  async findById(id: string, tx?: Tx): Promise<UserRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1`, [id], tx);
    return row ? this.decode(row) : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE email = $1`, [email]);
    return row ? this.decode(row) : null;
  }

  async findByEmailToken(tokenHash: string): Promise<UserRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE email_token_hash = $1`, [tokenHash]);
    return row ? this.decode(row) : null;
  }

  /**
   * Accounts made after `since` whose confirmation e-mail never went out (no token stored, not
   * confirmed): the worker's sweep queues their confirmation again.
   */
  async awaitingConfirmation(since: Date): Promise<Array<{ id: string; createdAt: Date }>> {
    const rows = await this.db.query('SELECT id, created_at FROM users WHERE email_verified_at IS NULL AND email_token_hash IS NULL AND created_at > $1', [
      since,
    ]);
    return rows.map((row) => ({ id: String(row.id), createdAt: this.db.date(row.created_at) as Date }));
  }

  /** Adds an account; a taken address is a unique violation. */
  async insert(user: UserRecord, tx?: Tx): Promise<void> {
    const row = {
      id: user.id,
      email: user.email,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
      email_verified_at: user.emailVerifiedAt,
      email_token_hash: user.emailTokenHash,
      email_token_expires_at: user.emailTokenExpiresAt,
    };
    await insertRow(this.db, 'users', row, tx);
  }

  /** Replaces a password hash, only if it is still `expected` (a concurrent change wins). */
  async replacePasswordHash(id: string, expected: string, next: string): Promise<boolean> {
    return (await changed(this.db, 'UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3', [next, id, expected])) === 1;
  }

  /** Confirms the address, only while the row still holds this token: single use. */
  async confirmEmail(id: string, tokenHash: string, at: Date): Promise<boolean> {
    return (
      (await changed(
        this.db,
        'UPDATE users SET email_verified_at = $1, email_token_hash = NULL, email_token_expires_at = NULL WHERE id = $2 AND email_token_hash = $3',
        [at, id, tokenHash],
      )) === 1
    );
  }

  /**
   * Takes one of the `max` confirmation e-mails an address may get per `windowMs`, whichever
   * account asks (security.md "Confirmation e-mails cannot be used to harass"): false when the
   * address has had its share. `emailHash` is the address's SHA-256, so the count keeps no address.
   * The count and the insert run in one transaction that holds the address's lock: on SQLite the
   * writer's BEGIN IMMEDIATE, on PostgreSQL a transaction-scoped advisory lock on the address's
   * hash, so concurrent claims (two workers, many "send again") cannot both take the last slot.
   */
  async claimConfirmationEmail(emailHash: string, at: Date, max: number, windowMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (this.db.kind === 'postgres') await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`confirmation:${emailHash}`], tx);
      const [counted] = await this.db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM confirmation_emails WHERE email_hash = $1 AND sent_at > $2',
        [emailHash, new Date(at.getTime() - windowMs)],
        tx,
      );
      if (Number(counted!.n) >= max) return false;
      await this.db.query('INSERT INTO confirmation_emails (id, email_hash, sent_at) VALUES ($1, $2, $3)', [randomUUID(), emailHash, at], tx);
      return true;
    });
  }

  /** Stores the newest confirmation token's hash (older links stop working); none once confirmed. */
  async setEmailToken(id: string, tokenHash: string, expiresAt: Date): Promise<boolean> {
    return (
      (await changed(this.db, 'UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE id = $3 AND email_verified_at IS NULL', [
        tokenHash,
        expiresAt,
        id,
      ])) === 1
    );
  }
}
