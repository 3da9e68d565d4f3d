import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuditActor, AuditEventType } from '@tradetally/contracts';

/** A record of something that happened to a key. `details` is JSON text and never holds a secret. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { name: 'user_id', length: 36 })
  userId: string;

  @Column('varchar', { name: 'api_key_id', length: 36, nullable: true })
  apiKeyId: string | null;

  @Column('varchar', { length: 32 })
  type: AuditEventType;

  @Column('varchar', { length: 16 })
  actor: AuditActor;

  @Column('text')
  details: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column('varchar', { name: 'dedupe_key', length: 200, nullable: true, unique: true })
  dedupeKey: string | null;
}
