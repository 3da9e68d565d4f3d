import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { NotificationType } from '@tradetally/contracts';

/** A message to a user. `dedupeKey` makes each effect of a job happen once (unique when set). */
@Entity('notifications')
export class NotificationEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { name: 'user_id', length: 36 })
  userId: string;

  @Column('varchar', { name: 'api_key_id', length: 36, nullable: true })
  apiKeyId: string | null;

  @Column('varchar', { length: 32 })
  type: NotificationType;

  @Column('varchar', { length: 200 })
  title: string;

  @Column('text')
  body: string;

  /** The type's data as JSON (message catalog, @tradetally/contracts); null on rows written before it was kept. */
  @Column('text', { nullable: true })
  data: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'read_at', type: Date, nullable: true })
  readAt: Date | null;

  @Column({ name: 'emailed_at', type: Date, nullable: true })
  emailedAt: Date | null;

  @Column('varchar', { name: 'dedupe_key', length: 200, nullable: true, unique: true })
  dedupeKey: string | null;
}
