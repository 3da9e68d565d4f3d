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
}
