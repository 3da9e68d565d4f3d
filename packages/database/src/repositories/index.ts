// Every table's SQL lives in its repository (sql.ts says how they are written). Services take
// repositories, so a service spec passes a double and a medium spec runs the real one.
export { type ApiKeyChanges, type ApiKeyRecord, ApiKeysRepository, type KeyCheckRecord } from './api-keys.repository.js';
export { type Effect, EffectsRepository } from './effects.repository.js';
export { type IdempotencyClaim, type IdempotencyRecord, IdempotencyRepository } from './idempotency.repository.js';
export {
  type AuditEventRecord,
  type NewAuditEvent,
  type NewNotification,
  type NotificationEmailView,
  type NotificationRecord,
  RecordsRepository,
} from './records.repository.js';
export { type SessionRecord, SessionsRepository } from './sessions.repository.js';
export { type TradeChanges, type TradeRecord, TradesRepository } from './trades.repository.js';
export { type UsageCount, UsageRepository } from './usage.repository.js';
export { type UserRecord, UsersRepository } from './users.repository.js';
export { type Cursor, type Tx, isUniqueViolation } from './sql.js';

import type { Db } from '../db.js';

import { ApiKeysRepository } from './api-keys.repository.js';
import { EffectsRepository } from './effects.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { RecordsRepository } from './records.repository.js';
import { SessionsRepository } from './sessions.repository.js';
import { TradesRepository } from './trades.repository.js';
import { UsageRepository } from './usage.repository.js';
import { UsersRepository } from './users.repository.js';

/** Every repository class, for dependency injection: each is built from the process's Db. */
export const REPOSITORIES = [
  ApiKeysRepository,
  EffectsRepository,
  IdempotencyRepository,
  RecordsRepository,
  SessionsRepository,
  TradesRepository,
  UsageRepository,
  UsersRepository,
] as const;

/** Every repository built on one Db, by the name a test or script reads it under. */
export function repositoriesOn(db: Db) {
  return {
    keys: new ApiKeysRepository(db),
    users: new UsersRepository(db),
    sessions: new SessionsRepository(db),
    trades: new TradesRepository(db),
    records: new RecordsRepository(db),
    usage: new UsageRepository(db),
    effects: new EffectsRepository(db),
    idempotency: new IdempotencyRepository(db),
  };
}

/** The repositories repositoriesOn builds. */
export type Repositories = ReturnType<typeof repositoriesOn>;

/**
 * The repositories as dependency-injection providers (NestJS's plain provider objects, no import
 * of Nest here): each is built from the Db that `dbToken` provides.
 */
export function repositoryProviders(dbToken: symbol | string) {
  return REPOSITORIES.map((Repository) => ({
    provide: Repository,
    useFactory: (db: ConstructorParameters<typeof Repository>[0]) => new Repository(db),
    inject: [dbToken],
  }));
}
