import type { SessionClient } from '@tradetally/contracts';
import type { Db } from '../db.js';
import { type Row, type Tx, insertRow } from './sql.js';

/** A signed-in session as stored (its token only as a hash). */
export interface SessionRecord {
  id: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** `web` (the settings page: everything) or `extension` (read and report only). */
  client: SessionClient;
}

/** The `sessions` table. */
export class SessionsRepository {
  constructor(private readonly db: Db) {}

  private decode = (row: Row): SessionRecord => ({
    id: String(row.id),
    userId: String(row.user_id),
    tokenHash: String(row.token_hash),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
    expiresAt: this.db.date(row.expires_at) ?? new Date(0),
    client: row.client === 'extension' ? 'extension' : 'web',
  });

  /** The session of a token hash (the check every session request makes: one indexed query). */
  async findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    const [row] = await this.db.query('SELECT id, user_id, token_hash, created_at, expires_at, client FROM sessions WHERE token_hash = $1', [tokenHash]);
    return row ? this.decode(row) : null;
  }

  async insert(session: SessionRecord, tx?: Tx): Promise<void> {
    const row = {
      id: session.id,
      user_id: session.userId,
      token_hash: session.tokenHash,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      client: session.client,
    };
    await insertRow(this.db, 'sessions', row, tx);
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE id = $1', [id]);
  }

  /**
   * True when the device of `tokenHash` signed in to `userId`'s account at or after `since` (a
   * known device: security.md "The owner is not locked out by the account-wide ceiling"). A device
   * of another account is unknown here.
   */
  async isKnownDevice(userId: string, tokenHash: string, since: Date): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 AS one FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND last_seen_at >= $3', [
      tokenHash,
      userId,
      since,
    ]);
    return rows.length > 0;
  }

  /** Records a successful sign-in from a device (by its token's hash): new, or seen again at `at`. */
  async rememberDevice(userId: string, tokenHash: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO known_devices (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (token_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at WHERE known_devices.user_id = excluded.user_id`,
      [tokenHash, userId, at],
    );
  }
}
