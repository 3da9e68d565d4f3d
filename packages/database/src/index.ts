export {
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
export { ConfigError, type LogFormat, LogFormatSchema, daysSchema, parseEnv, redisRetryStrategy, sharedConfigShape } from './config.js';
export { NestPinoLogger, chooseLogFormat, createLogger, logDestination, prettyStream } from './logger.js';
export * from './repositories/index.js';
