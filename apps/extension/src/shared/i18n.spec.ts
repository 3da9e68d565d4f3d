import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import messages from '../../public/_locales/en/messages.json' with { type: 'json' };
import { stubI18n } from '../testing/i18n.js';
import { t, tNodes } from './i18n.js';

const root = new URL('../..', import.meta.url).pathname;
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.spec\.ts$/.test(name) ? [readFileSync(path, 'utf8')] : [];
  });

describe('messages.json', () => {
  beforeAll(stubI18n);

  it('describes every message, and names each placeholder it uses', () => {
    for (const [name, entry] of Object.entries(messages) as Array<
      [string, { message: string; description?: string; placeholders?: Record<string, unknown> }]
    >) {
      expect(entry.description, name).toBeTruthy();
      const used = [...entry.message.matchAll(/\$([A-Za-z_]+)\$/g)].map((m) => (m[1] ?? '').toLowerCase()).sort();
      expect(used, name).toEqual(Object.keys(entry.placeholders ?? {}).sort());
    }
  });

  it('has no message the code never shows', () => {
    const code = [...sources(join(root, 'src')), readFileSync(join(root, 'manifest.config.ts'), 'utf8')].join('\n');
    const unused = Object.keys(messages).filter(
      (name) => !code.includes(`'${name}'`) && !code.includes(`__MSG_${name}__`) && !/^(source|action|env)_/.test(name), // these are named by their enum value
    );
    expect(unused).toEqual([]);
  });

  it('fills placeholders, and puts nodes where the sentence says', () => {
    expect(t('notificationMessage', 'tt_live_abcd…wxyz', 'chat.example')).toBe(
      "tt_live_abcd…wxyz appeared on chat.example. Revoke it from the page's warning or in your TradeTally settings.",
    );
    const strong = { nodeName: 'STRONG' } as unknown as Node;
    expect(tNodes('popupSignedInAs', strong)).toEqual(['Signed in as ', strong]);
  });
});
