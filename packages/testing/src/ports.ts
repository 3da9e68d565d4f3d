import { createServer } from 'node:net';

/** A free loopback port, closed again so the caller can listen on it; rejects when none can be had. */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address for a loopback listener'));
      server.close(() => resolve(address.port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free loopback ports, below Linux's ephemeral range (32768+) so
 * that no outgoing connection takes one of them between this check and the listen.
 */
export async function freePortRange(count: number, attempts = 200): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portIsFree(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free loopback ports after ${attempts} attempts`);
}
