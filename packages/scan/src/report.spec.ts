import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportAddressError, reportTarget } from './report.js';
import { newKey, runCli } from './testing/cli.js';

let tree: string;

/** A server that records every request it gets: the proof that a key was, or was not, sent. */
async function recorder(host: string, answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string> }) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${body}`);
      const { status, headers } = answer(req);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, host, done));
  const { port } = server.address() as AddressInfo;
  return { requests, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => new Promise((done) => server.close(done)) };
}

beforeAll(async () => {
  tree = await mkdtemp(join(tmpdir(), 'tt-scan-address-'));
  await writeFile(join(tree, 'k.txt'), `${newKey('live')}\n`);
});

afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

describe('where --report may send keys', () => {
  it('accepts https anywhere and http only to this machine, in every spelling of loopback', () => {
    for (const url of [
      'https://api.example.com',
      'https://203.0.113.7:8443/base',
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://127.9.8.7',
      'http://127.1', // WHATWG URL reads it as 127.0.0.1
      'http://2130706433', // so is this
      'http://[::1]:3000',
      'http://[0:0:0:0:0:0:0:1]',
      'http://[::ffff:127.0.0.1]',
    ]) {
      expect(() => reportTarget(url), url).not.toThrow();
    }
  });

  it('refuses plain http to any other host, other schemes and URLs with credentials', () => {
    for (const url of [
      'http://example.com',
      'http://203.0.113.7:3000',
      'http://0.0.0.0:3000',
      'http://127.0.0.1.example.com',
      'http://localhost.example.com',
      'http://[::2]',
      'http://[::ffff:10.0.0.1]',
      'ftp://127.0.0.1',
      'file:///etc/passwd',
      'https://user:secret@api.example.com',
      'not a url',
    ]) {
      expect(() => reportTarget(url), url).toThrow(ReportAddressError);
    }
  });

  it('exits 2 naming the address for --report to http://example.com, before scanning', async () => {
    const run = await runCli(['--report', '--api', 'http://example.com', '.'], { cwd: tree });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/sends keys only over https:\/\/.*not to http:\/\/example\.com/);
    const fromEnv = await runCli(['--report', '.'], { cwd: tree, env: { TRADETALLY_API_URL: 'http://example.com:8080/' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('not to http://example.com:8080');
  });

  it('sends nothing to a listening server on this machine’s network address over plain http', async (context) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) return context.skip(); // no network interface but loopback here
    const server = await recorder(external.address, () => ({ status: 202 }));
    try {
      const run = await runCli(['--report', '--api', server.url, '.'], { cwd: tree });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`not to ${server.url}`);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('does not follow a redirect: the key is not sent on', async () => {
    const target = await recorder('127.0.0.1', () => ({ status: 202 }));
    const redirecting = await recorder('127.0.0.1', () => ({ status: 307, headers: { location: `${target.url}/v1/leaks` } }));
    try {
      const run = await runCli(['--report', '--api', redirecting.url, '.'], { cwd: tree });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/answered 307 \(a redirect\)/);
      expect(redirecting.requests).toHaveLength(1);
      expect(target.requests).toEqual([]);
    } finally {
      await Promise.all([target.close(), redirecting.close()]);
    }
  });
});
