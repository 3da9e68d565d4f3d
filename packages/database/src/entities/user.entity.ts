import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trader with an account. `email` is stored lower-cased; the password only as a memory-hard hash (argon2id; older scrypt hashes are upgraded at sign-in). */
@Entity('users')
export class UserEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { length: 254, unique: true })
  email: string;

  @Column('varchar', { name: 'password_hash', length: 200 })
  passwordHash: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  /** When the owner confirmed the address; until then it gets no e-mail but the confirmation. */
  @Column({ name: 'email_verified_at', type: Date, nullable: true })
  emailVerifiedAt: Date | null;

  /** SHA-256 of the newest confirmation token (the raw token only ever travels in the e-mail). */
  @Column('varchar', { name: 'email_token_hash', length: 64, nullable: true })
  emailTokenHash: string | null;

  @Column({ name: 'email_token_expires_at', type: Date, nullable: true })
  emailTokenExpiresAt: Date | null;
}
