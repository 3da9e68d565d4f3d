import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trader with an account. `email` is stored lower-cased; the password only as a scrypt hash. */
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
}
