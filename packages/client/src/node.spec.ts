import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envStore, fileStore } from './node.js';

describe('fileStore', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('answers null before the first save, then the saved key, in a 0600 file with no temporary left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-file-store-'));
    dirs.push(dir);
    const store = fileStore(join(dir, 'key'));
    expect(await store.load()).toBeNull();
    await Promise.all(['tt_live_first', 'tt_live_second', 'tt_live_third'].map((key) => store.save(key)));
    expect(['tt_live_first', 'tt_live_second', 'tt_live_third']).toContain(await store.load());
    expect(statSync(join(dir, 'key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('fails a save into a missing folder and leaves nothing behind', async () => {
    await expect(fileStore(join(tmpdir(), 'tt-no-such-folder', 'key')).save('tt_live_x')).rejects.toThrow();
  });
});

describe('envStore', () => {
  it('persists before it sets the variable, and keeps the old value when persisting fails', async () => {
    const name = 'TT_CLIENT_ENV_STORE_TEST';
    process.env[name] = 'old';
    const broken = envStore(name, () => Promise.reject(new Error('vault down')));
    await expect(broken.save('new')).rejects.toThrow('vault down');
    expect(await broken.load()).toBe('old');
    const seen: string[] = [];
    await envStore(name, async (key) => void seen.push(key)).save('new');
    expect(seen).toEqual(['new']);
    expect(process.env[name]).toBe('new');
    delete process.env[name];
    expect(await envStore(name).load()).toBeNull();
  });
});
