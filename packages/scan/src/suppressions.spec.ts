import { createHash } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonFinding, expectNoKeyIn, gitIn, newKey, runCli, sarifValidator } from './testing/cli.js';

let root: string;
const keys: Record<string, string> = {};

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const json = (args: string[], cwd = root) => runCli(['--format', 'json', ...args], { cwd });
const found = (stdout: string) => (JSON.parse(stdout) as JsonFinding[]).map((f) => `${f.path}:${f.line}`);

interface BaselineFile {
  version: number;
  findings: Array<{ fingerprint: string; path: string; display?: string; reason?: string; until?: string }>;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tt-scan-allow-'));
  Object.assign(keys, { example: newKey('live'), fixture: newKey('test'), old: newKey('live'), fresh: newKey('live') });
  // The documented example, allowed in the source (a comment of each syntax).
  await put('docs/example.md', `Use your key:\n\n    TT_KEY=${keys.example} <!-- tradetally-scan:allow -->\n`);
  await put(
    'src/fixture.ts',
    `// tradetally-scan:allow on the line before does not count\nexport const key = '${keys.fixture}';\nconst again = '${keys.fixture}'; // tradetally-scan:allow\n`,
  );
  await put('src/legacy.env', `OLD=${keys.old}\n`);
  await put('src/new.env', `NEW=${keys.fresh}\n`);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('tradetally-scan:allow on a line', () => {
  it('leaves out the keys on that line only, and counts them on stderr', async () => {
    const run = await json(['.']);
    expect(run.code).toBe(1);
    expect(found(run.stdout)).toEqual(['src/fixture.ts:2', 'src/legacy.env:1', 'src/new.env:1']);
    expect(run.stderr).toMatch(/3 keys found \(2 live, 1 test\); 2 suppressed \(2 inline, 0 baseline\)/);
    const text = await runCli(['.'], { cwd: root });
    expect(text.stdout).not.toContain('docs/example.md');
  });

  it('works on an added line in --staged too', async () => {
    gitIn(root, 'init', '-q');
    await put('staged.txt', `a = ${newKey('live')} # tradetally-scan:allow\nb = ${keys.fresh}\n`);
    gitIn(root, 'add', 'staged.txt');
    const run = await json(['--staged']);
    expect(found(run.stdout)).toEqual(['staged.txt:2']);
    expect(run.stderr).toMatch(/1 suppressed \(1 inline, 0 baseline\)/);
  });
});

describe('a baseline', () => {
  it('--write-baseline records fingerprints and paths, never a key; the next scan accepts them (default file)', async () => {
    const written = await json(['--write-baseline', '.tradetally-scan-baseline.json', '.']);
    expect(written.code).toBe(0); // what it just recorded is accepted
    expect(written.stderr).toMatch(/wrote 3 entries to .*\.tradetally-scan-baseline\.json/);
    const text = await readFile(join(root, '.tradetally-scan-baseline.json'), 'utf8');
    expectNoKeyIn(text, 'the baseline file');
    const baseline = JSON.parse(text) as BaselineFile;
    expect(baseline.version).toBe(1);
    expect(baseline.findings).toEqual([
      { fingerprint: sha256(keys.fixture!), path: 'src/fixture.ts', display: `${keys.fixture!.slice(0, 12)}…${keys.fixture!.slice(-4)}` },
      { fingerprint: sha256(keys.old!), path: 'src/legacy.env', display: `${keys.old!.slice(0, 12)}…${keys.old!.slice(-4)}` },
      { fingerprint: sha256(keys.fresh!), path: 'src/new.env', display: `${keys.fresh!.slice(0, 12)}…${keys.fresh!.slice(-4)}` },
    ]);
    const again = await json(['.']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([]);
    expect(again.stderr).toMatch(/0 keys found .*; 5 suppressed \(2 inline, 3 baseline\)/);
    // A new key, or an accepted key in another file, is reported.
    await put('src/copy.env', `COPY=${keys.old}\n`);
    const copied = await json(['.']);
    expect(copied.code).toBe(1);
    expect(found(copied.stdout)).toEqual(['src/copy.env:1']);
  });

  it('stops accepting an entry past its until date: the finding reappears, and stderr says why', async () => {
    const baseline: BaselineFile = {
      version: 1,
      findings: [
        { fingerprint: sha256(keys.old!), path: 'src/legacy.env', reason: 'revoked; the file is being removed', until: '2020-01-31' },
        { fingerprint: sha256(keys.fresh!), path: 'src/new.env', reason: 'sandbox account', until: '2999-12-31' },
        { fingerprint: sha256(keys.fixture!), path: 'src/fixture.ts' },
      ],
    };
    await put('ci/accepted.json', JSON.stringify(baseline));
    const run = await json(['--baseline', 'ci/accepted.json', '.']);
    expect(run.code).toBe(1);
    expect(found(run.stdout)).toEqual(['src/legacy.env:1']);
    expect(run.stderr).toMatch(/baseline entry for src\/legacy\.env expired on 2020-01-31: it no longer suppresses/);
    // Rewriting keeps each entry's reason and date: writing a baseline does not extend a deadline.
    await json(['--baseline', 'ci/accepted.json', '--write-baseline', 'ci/accepted.json', '.']);
    const rewritten = JSON.parse(await readFile(join(root, 'ci/accepted.json'), 'utf8')) as BaselineFile;
    expect(rewritten.findings.find((entry) => entry.path === 'src/legacy.env')).toMatchObject({
      until: '2020-01-31',
      reason: 'revoked; the file is being removed',
    });
  });

  it('refuses a baseline it cannot read or trust, naming the file (exit 2)', async () => {
    for (const [content, message] of [
      ['not json', /baseline .*bad\.json: /],
      [JSON.stringify({ version: 1, findings: [{ fingerprint: keys.old, path: 'a' }] }), /fingerprint must be 64 lowercase hex digits/],
      [JSON.stringify({ version: 1, findings: [{ fingerprint: sha256('x'), path: 'a', until: '2026-02-30' }] }), /until must be a date written YYYY-MM-DD/],
      [JSON.stringify({ version: 1, findings: [{ fingerprint: sha256('x'), path: 'a', key: 'x' }] }), /unknown field key/],
    ] as const) {
      await put('bad.json', content);
      const run = await json(['--baseline', 'bad.json', '.']);
      expect(run.code, content).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    const missing = await json(['--baseline', 'nowhere.json', '.']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere\.json: no such file/);
  });
});

describe('suppressed findings in SARIF', () => {
  it('appear with suppressions (inSource, external) and their justification, valid against the SARIF 2.1.0 schema', async () => {
    const baseline: BaselineFile = { version: 1, findings: [{ fingerprint: sha256(keys.old!), path: 'src/legacy.env', reason: 'revoked on 2026-11-02' }] };
    await put('.tradetally-scan-baseline.json', JSON.stringify(baseline));
    const run = await runCli(['--format', 'sarif', '.'], { cwd: root });
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout) as Log;
    const checked = (await sarifValidator())(log);
    expect(checked.valid, checked.errors).toBe(true);
    const results = log.runs[0]!.results!;
    const byPlace = Object.fromEntries(
      results.map((r) => [
        `${r.locations![0]!.physicalLocation!.artifactLocation!.uri}:${r.locations![0]!.physicalLocation!.region!.startLine}`,
        r.suppressions,
      ]),
    );
    expect(byPlace).toEqual({
      'docs/example.md:3': [{ kind: 'inSource', status: 'accepted', justification: 'the line holds tradetally-scan:allow' }],
      'src/fixture.ts:2': undefined,
      'src/fixture.ts:3': [{ kind: 'inSource', status: 'accepted', justification: 'the line holds tradetally-scan:allow' }],
      'src/legacy.env:1': [{ kind: 'external', status: 'accepted', justification: 'revoked on 2026-11-02' }],
      'src/new.env:1': undefined,
    });
    // The schema checks suppressions: a kind SARIF does not know is refused.
    const wrong = structuredClone(log);
    wrong.runs[0]!.results![0]!.suppressions = [{ kind: 'somewhere' as 'external' }];
    expect((await sarifValidator())(wrong).valid).toBe(false);
  });
});

describe('--report and suppressed keys', () => {
  it('sends only the live keys that are not suppressed', async () => {
    const bodies: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      await put('.tradetally-scan-baseline.json', JSON.stringify({ version: 1, findings: [{ fingerprint: sha256(keys.old!), path: 'src/legacy.env' }] }));
      const run = await runCli(['--report', '--api', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '.'], { cwd: root });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/reported 1 live key to/);
      expect(bodies.map((body) => (JSON.parse(body) as { key: string }).key)).toEqual([keys.fresh]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
