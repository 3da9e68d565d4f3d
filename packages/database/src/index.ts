export { ApiKeyEntity } from './entities/api-key.entity.js';
export { AuditEventEntity } from './entities/audit-event.entity.js';
export { NotificationEntity } from './entities/notification.entity.js';
export { SessionEntity } from './entities/session.entity.js';
export { TradeEntity } from './entities/trade.entity.js';
export { UserEntity } from './entities/user.entity.js';
export {
  ENTITIES,
  MIGRATIONS,
  dataSourceOptions,
  migrate,
  pendingMigrations,
  openDatabase,
  openDb,
  openDbWhenReachable,
  parseDatabaseUrl,
  type DatabaseTarget,
} from './data-source.js';
export { PG_TIMEOUTS, isDatabaseUnavailable } from './availability.js';
export { Db, sqliteTime, type SqlParam } from './db.js';
export { DataSource, type EntityManager } from 'typeorm';
export { KeyHasher, MIN_PEPPER_LENGTH, type Pepper, hashOpaqueToken, parsePeppers } from './secrets.js';
export { type NewAuditEvent, type NewNotification, activeKeySql, writeAuditEvent, writeNotification } from './records.js';
export { ConfigError, type LogFormat, LogFormatSchema, daysSchema, parseEnv, redisRetryStrategy, sharedConfigShape } from './config.js';
export { NestPinoLogger, chooseLogFormat, createLogger, logDestination, prettyStream } from './logger.js';
export * from './repositories/index.js';
