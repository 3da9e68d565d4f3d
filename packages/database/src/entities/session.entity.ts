import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signed-in session; only the SHA-256 of its token is stored. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Index('idx_sessions_user')
  @Column('varchar', { name: 'user_id', length: 36 })
  userId: string;

  @Column('varchar', { name: 'token_hash', length: 64, unique: true })
  tokenHash: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt: Date;

  /** `web` (the settings page: everything) or `extension` (read and report only, security.md). */
  @Column('varchar', { length: 16, default: 'web' })
  client: 'web' | 'extension';
}
