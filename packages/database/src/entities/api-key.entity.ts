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

  /** A decoy: every use answers as an unknown key would, and alerts the owner. */
  @Column('boolean', { default: false })
  canary: boolean;

  @Column('boolean', { name: 'self_rotate', default: false })
  selfRotate: boolean;

  /** Made by its predecessor's self-rotation: a leak report of the predecessor revokes it too. */
  @Column('boolean', { name: 'made_by_self_rotation', default: false })
  madeBySelfRotation: boolean;

  /** JSON array of addresses/CIDRs the key works from; null = anywhere. */
  @Column('text', { name: 'allowed_ips', nullable: true })
  allowedIps: string | null;

  /** The id of the first key of its lineage (a self-rotation's successor shares its predecessor's). */
  @Column('varchar', { name: 'lineage_id', length: 36, nullable: true })
  lineageId: string | null;

  @Column('varchar', { name: 'last_used_ip', length: 45, nullable: true })
  lastUsedIp: string | null;

  @Column('varchar', { name: 'last_used_user_agent', length: 200, nullable: true })
  lastUsedUserAgent: string | null;

  /** Which pepper `keyHash` was made with (TT_KEY_PEPPERS ids; "1" for a single TT_KEY_PEPPER). */
  @Column('varchar', { name: 'pepper_id', length: 32, default: '1' })
  pepperId: string;
}
