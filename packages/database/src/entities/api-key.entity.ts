import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiKeyEnvironment, ApiKeyScope, RevokeReason } from '@tradetally/contracts';

/** An API key. The key itself is never stored: only HMAC-SHA256(pepper, key), `prefix` and `last4`. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { name: 'user_id', length: 36 })
  userId: string;

  @Column('varchar', { length: 100 })
  name: string;

  @Column('varchar', { length: 16 })
  scope: ApiKeyScope;

  @Column('varchar', { length: 8 })
  environment: ApiKeyEnvironment;

  @Column('varchar', { length: 16 })
  prefix: string;

  @Column('varchar', { length: 4 })
  last4: string;

  @Column('varchar', { name: 'key_hash', length: 64, unique: true })
  keyHash: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'expires_at', type: Date, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt: Date | null;

  @Column('varchar', { name: 'revoke_reason', length: 16, nullable: true })
  revokeReason: RevokeReason | null;

  @Column('varchar', { name: 'rotated_from_id', length: 36, nullable: true })
  rotatedFromId: string | null;

  @Column('varchar', { name: 'rotated_to_id', length: 36, nullable: true })
  rotatedToId: string | null;

  @Column({ name: 'grace_ends_at', type: Date, nullable: true })
  graceEndsAt: Date | null;
}
