import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './data-source.js';

describe('parseDatabaseUrl', () => {
  it('reads sqlite paths and postgres addresses', () => {
    expect(parseDatabaseUrl('sqlite:./data/tradetally.sqlite')).toEqual({ kind: 'sqlite', path: './data/tradetally.sqlite' });
    expect(parseDatabaseUrl('sqlite:///var/lib/tt.sqlite')).toEqual({ kind: 'sqlite', path: '/var/lib/tt.sqlite' });
    expect(parseDatabaseUrl('postgres://u:p@127.0.0.1:5432/db')).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db' });
  });

  it('refuses anything else with a reason', () => {
    expect(() => parseDatabaseUrl('mysql://x')).toThrow(/sqlite: or postgres/);
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/file path/);
  });
});
