import 'reflect-metadata';
import { ApiKeysRepository, type Db, openDb } from '@tradetally/database';
import { ConfigError, loadConfig } from './config.js';

/** How many keys each pepper still covers: all of them, and those that still work (not revoked, expired or past grace). */
export interface PepperCount {
  pepperId: string;
  keys: number;
  usable: number;
}

/** Counts stored key hashes per pepper id (operations.md "Pepper rotation"). */
export async function countKeysByPepper(db: Db, now = new Date()): Promise<PepperCount[]> {
  return new ApiKeysRepository(db).countByPepper(now);
}

/**
 * `node apps/api/dist/peppers.js` (`npm run peppers`): prints, per pepper id, how many keys still
 * carry a hash made with it, so an operator knows when an old pepper can leave TT_KEY_PEPPERS.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDb(config.DATABASE_URL, { migrate: false });
  try {
    const configured = config.peppers.map((p) => p.id);
    const counts = await countKeysByPepper(db);
    console.log(`Peppers configured (current first): ${configured.join(', ')}`);
    for (const count of counts) {
      const role =
        count.pepperId === configured[0]
          ? 'current'
          : configured.includes(count.pepperId)
            ? 'older, still accepted'
            : 'NOT CONFIGURED: these keys no longer work';
      console.log(`  pepper ${count.pepperId}: ${count.keys} keys, ${count.usable} still usable (${role})`);
    }
    const waiting = counts.filter((c) => c.pepperId !== configured[0] && c.usable > 0);
    console.log(
      waiting.length === 0
        ? 'Every usable key is hashed with the current pepper: older peppers can be dropped.'
        : `${waiting.reduce((n, c) => n + c.usable, 0)} usable keys still need an older pepper; each moves to the current one on its next use. Dropping a pepper now stops those keys.`,
    );
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file://').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
