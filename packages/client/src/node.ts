import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { KeyStore } from './auto-rotate.js';

/**
 * A key kept in one file, readable only by its owner (mode 0600). Saves write a temporary file
 * beside it and rename it over the old one, so a reader (another process) sees the old key or the
 * new one, never half of one.
 */
export function fileStore(path: string): KeyStore {
  return {
    async load() {
      try {
        return (await readFile(path, 'utf8')).trim() || null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async save(key: string) {
      const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${key}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      try {
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
  };
}

/**
 * A key kept in an environment variable. The environment dies with the process, so pass
 * `persist` to write the new key where the next start reads it (a secrets manager, a deploy
 * hook); `save` fails when `persist` does, which keeps the old key in use.
 */
export function envStore(name: string, persist?: (key: string) => Promise<void>): KeyStore {
  return {
    async load() {
      return process.env[name]?.trim() || null;
    },
    async save(key: string) {
      if (persist) await persist(key);
      process.env[name] = key;
    },
  };
}
