// Repository-wide rules that no single package can check: one version number, one set of Node.js
// lines, and the fields a published package needs. They read the files as users and CI meet them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './index.js';

interface PackageJson {
  name: string;
  version?: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
}

const read = (path: string): string => readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
const readPackage = (folder: string): PackageJson => JSON.parse(read(join(folder, 'package.json'))) as PackageJson;

const root = readPackage('.');
const workspaces = ['packages', 'apps'].flatMap((parent) =>
  readdirSync(join(REPOSITORY_ROOT, parent))
    .filter((name) => existsSync(join(REPOSITORY_ROOT, parent, name, 'package.json')))
    .map((name) => ({ folder: `${parent}/${name}`, json: readPackage(`${parent}/${name}`) })),
);

/** The packages anyone can install from the registry. */
export const PUBLISHED = ['@tradetally/contracts', '@tradetally/client', '@tradetally/scan'];

/**
 * Packages whose package.json is being brought in line in another change (the scanner's own
 * publishing work): listed here so the rest is enforced now. The test below fails once such a
 * package agrees, so the entry is removed then and cannot linger.
 */
const PENDING = new Set<string>();

/** The Node.js lines `engines` names, e.g. "^22.13.0 || ^24.0.0 || ^26.0.0" gives [22, 24, 26]. */
const lines = (range: string): number[] => [...range.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));

describe('one version number', () => {
  it('is the root package.json version, a semantic version', () => {
    expect(root.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is the version of every workspace package', () => {
    const differing = workspaces.filter(({ json }) => json.version !== root.version).map(({ json }) => json.name);
    expect(differing.sort()).toEqual([...PENDING].sort());
  });

  it('is the exact version a published package asks of another of ours', () => {
    for (const { json } of workspaces.filter(({ json }) => PUBLISHED.includes(json.name) && !PENDING.has(json.name))) {
      for (const [name, range] of Object.entries(json.dependencies ?? {})) {
        if (name.startsWith('@tradetally/')) expect({ package: json.name, name, range }).toEqual({ package: json.name, name, range: root.version });
      }
    }
  });

  it('has a section in CHANGELOG.md', () => {
    expect(read('CHANGELOG.md')).toContain(`\n## ${root.version}`);
  });
});

describe('the supported Node.js lines', () => {
  const range = root.engines?.node ?? '';

  it('are 22, 24 and 26 in the root engines', () => {
    expect(lines(range)).toEqual([22, 24, 26]);
  });

  it('are the engines of every workspace package', () => {
    const differing = workspaces.filter(({ json }) => json.engines?.node !== range).map(({ json }) => json.name);
    expect(differing.sort()).toEqual([...PENDING].sort());
  });

  it('include the development default (.nvmrc, .node-version) and the image', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(read('.node-version').trim()).toBe(nvmrc);
    expect(lines(range)).toContain(Number(nvmrc));
    expect(read('Dockerfile')).toContain(`ARG NODE_VERSION=${nvmrc}\n`);
  });

  it('are the lines CI runs: the GitHub matrix and .ci/run', () => {
    const expected = lines(range);
    expect(read('.github/workflows/ci.yml')).toContain(`node: [${expected.join(', ')}]`);
    expect(read('.ci/run')).toContain(`lines=(${expected.join(' ')})`);
  });
});

describe('a published package', () => {
  const published = workspaces.filter(({ json }) => PUBLISHED.includes(json.name));

  it('is each of contracts, client and scan', () => {
    expect(published.map(({ json }) => json.name).sort()).toEqual([...PUBLISHED].sort());
  });

  it.each(PUBLISHED.filter((name) => !PENDING.has(name)))('%s has what the registry and its users need', (name) => {
    const { folder, json } = published.find(({ json }) => json.name === name)!;
    expect(json.private).toBeUndefined();
    expect(json.license).toBe('MIT');
    expect(json.publishConfig?.access).toBe('public'); // a scoped package is private on the registry otherwise
    expect(json.repository).toEqual({ type: 'git', url: root.repository?.url, directory: folder });
    expect(json.files?.length).toBeGreaterThan(0);
    expect(existsSync(join(REPOSITORY_ROOT, folder, 'README.md'))).toBe(true);
    expect(read(join(folder, 'LICENSE'))).toBe(read('LICENSE'));
    if (!json.bin) {
      // ESM with types, the types condition first (TypeScript reads the first match).
      const main = json.exports?.['.'];
      expect(typeof main === 'object' && Object.keys(main)[0]).toBe('types');
      expect(main).toMatchObject({ types: expect.stringMatching(/\.d\.ts$/), import: expect.stringMatching(/\.js$/) });
    }
  });
});

describe('.env.example', () => {
  it('sets every variable compose.yaml takes from the environment', () => {
    const used = new Set([...read('compose.yaml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const set = new Set([...read('.env.example').matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...used].filter((name) => !set.has(name))).toEqual([]);
  });
});

describe('the documentation', () => {
  const pages = [
    'README.md',
    'SECURITY.md',
    'CHANGELOG.md',
    ...['docs', 'packages', 'apps'].flatMap((parent) =>
      parent === 'docs'
        ? readdirSync(join(REPOSITORY_ROOT, 'docs'))
            .filter((name) => name.endsWith('.md'))
            .map((name) => `docs/${name}`)
        : workspaces
            .filter(({ folder }) => folder.startsWith(`${parent}/`) && existsSync(join(REPOSITORY_ROOT, folder, 'README.md')))
            .map(({ folder }) => `${folder}/README.md`),
    ),
  ];
  const links = (page: string) => [...read(page).matchAll(/\]\(([^)\s]+)\)|<(https?:[^>]+)>/g)].map((m) => (m[1] ?? m[2])!);

  it('links only inside the repository, to files that exist', () => {
    const bad = pages.flatMap((page) =>
      links(page)
        .filter((target) => !target.startsWith('#'))
        .filter((target) => /^[a-z]+:/i.test(target) || !existsSync(join(REPOSITORY_ROOT, page, '..', decodeURIComponent(target.split('#')[0]!))))
        .map((target) => `${page}: ${target}`),
    );
    expect(bad).toEqual([]);
  });

  it('speaks of no internal history: no team specs, version rounds or issue numbers', () => {
    const bad = pages.flatMap((page) =>
      read(page)
        .split('\n')
        .map((line, i) => ({ line, at: `${page}:${i + 1}` }))
        .filter(({ line }) => /\.\.\/shared\/|shared\/contract|\bcontract\/[a-z-]+\.md|\bversion [0-9]\b|\bv[0-9] additions|\bissue #?[0-9]+/i.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(bad).toEqual([]);
  });
});
