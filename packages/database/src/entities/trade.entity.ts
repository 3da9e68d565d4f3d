import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One execution in a trader's journal. */
@Entity('trades')
export class TradeEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id: string;

  @Column('varchar', { name: 'user_id', length: 36 })
  userId: string;

  @Column('varchar', { length: 32 })
  symbol: string;

  @Column('varchar', { length: 4 })
  side: 'buy' | 'sell';

  @Column('double precision')
  quantity: number;

  @Column('double precision')
  price: number;

  @Column('double precision')
  fees: number;

  @Column({ name: 'executed_at', type: Date })
  executedAt: Date;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('varchar', { name: 'external_id', length: 200, nullable: true })
  externalId: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;
}
