#!/usr/bin/env node
// The migrations as a command of their own (operations.md "Several instances"): a deploy can run
// them once before it starts the API and the worker, which then find nothing left to do. The
// same advisory lock as at start makes a run racing with starting instances safe.
import { migrate, openDatabase } from './data-source.js';

const url = process.env.DATABASE_URL ?? 'sqlite:./data/tradetally.sqlite';

try {
  const dataSource = await openDatabase(url, { poolSize: 2, migrate: false });
  const applied = await migrate(dataSource);
  await dataSource.destroy();
  console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is current: no migration to apply');
} catch (error) {
  console.error(`migrations failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
