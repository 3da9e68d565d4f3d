import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, freePortRange, spawnNode, waitFor } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-testing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

describe('freePort', () => {
  it('answers a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers the first of a run of consecutive free ports below the ephemeral range', async () => {
    const base = await freePortRange(3);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 2).toBeLessThan(32_768);
  });
});

describe('waitFor', () => {
  it('resolves as soon as the check holds', async () => {
    let calls = 0;
    await waitFor('the third call', () => ++calls === 3, 5_000, 10);
    expect(calls).toBe(3);
  });

  it('throws naming what it waited for and the last error the check threw', async () => {
    await expect(
      waitFor(
        'a server that never answers',
        () => {
          throw new Error('ECONNREFUSED');
        },
        200,
        20,
      ),
    ).rejects.toThrow(/timed out after 200 ms waiting for a server that never answers \(last error: ECONNREFUSED\)/);
  });
});

describe('spawnNode', () => {
  it('keeps the output and waits for a line', async () => {
    const proc = spawnNode(script('ready.mjs', "console.log('worker ready'); setTimeout(() => {}, 10_000);"), {});
    await proc.waitForOutput('worker ready', 10_000);
    expect(await proc.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('throws with the output when the process exits before the line', async () => {
    const proc = spawnNode(script('crash.mjs', "console.error('config: DATABASE_URL is missing'); process.exit(3);"), {});
    await expect(proc.waitForOutput('worker ready', 10_000)).rejects.toThrow(/exited \(3\) before printing worker ready:\nconfig: DATABASE_URL is missing/);
  });

  it('throws with the output when the line does not come in time', async () => {
    const proc = spawnNode(script('quiet.mjs', "console.log('starting'); setTimeout(() => {}, 10_000);"), {});
    // Node's own start-up may take longer than the short timeout on a loaded machine: wait it out first.
    await proc.waitForOutput('starting', 10_000);
    await expect(proc.waitForOutput('worker ready', 300)).rejects.toThrow(/did not print worker ready within 300 ms:\nstarting/);
    await proc.stop();
  });
});
