// Test support: docs/configuration.md against the apps' configuration schemas, so a variable an app
// reads cannot go undocumented, a removed one cannot linger on the page, and a default cannot drift.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

// src/ and dist/ both sit two folders below packages/database, three below the repository root.
const PAGE = new URL('../../../docs/configuration.md', import.meta.url);

/** One row of a variable table of docs/configuration.md: the name and the default column's text. */
export interface DocumentedVariable {
  name: string;
  defaultText: string;
}

/** The rows of the table under the page's `## <heading>` section. */
export function documentedVariables(heading: string, page = readFileSync(PAGE, 'utf8')): DocumentedVariable[] {
  const start = page.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/configuration.md has no "## ${heading}" section`);
  const end = page.indexOf('\n## ', start + 1);
  const section = page.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|(.*)\|\s*$/gm)].map((match) => ({
    name: match[1]!,
    defaultText: match[2]!.split('|').at(-1)!.trim(),
  }));
}

/** The value a schema gives an unset variable (zod's `.default()`, also before a transform), or undefined. */
export function schemaDefault(schema: z.ZodType): unknown {
  const def = schema.def as { type: string; defaultValue?: unknown; in?: z.ZodType; innerType?: z.ZodType };
  if (def.type === 'default') return def.defaultValue;
  if (def.type === 'pipe' && def.in) return schemaDefault(def.in);
  return undefined;
}

/** What differs between a configuration schema's variables and the page's sections. */
export interface ConfigurationDrift {
  /** Read by the schema, on none of the sections. */
  missing: string[];
  /** On a section, not read by the schema. */
  stale: string[];
  /** Documented with a default column that does not show the schema's default in backticks. */
  wrongDefault: string[];
}

/** Compares a schema's shape with the variables under `headings`: all three lists are empty when they agree. */
export function configurationDrift(shape: Record<string, z.ZodType>, headings: string[], page?: string): ConfigurationDrift {
  const rows = headings.flatMap((heading) => documentedVariables(heading, page));
  const documented = new Map(rows.map((row) => [row.name, row.defaultText]));
  const wrongDefault = Object.entries(shape).flatMap(([name, schema]) => {
    const value = schemaDefault(schema);
    const text = documented.get(name);
    // An empty default ("none") and a computed one (no schema default) are described in words.
    if (text === undefined || value === undefined || value === '') return [];
    return text.includes(`\`${String(value)}\``) ? [] : [`${name}: expected \`${String(value)}\` in "${text}"`];
  });
  return {
    missing: Object.keys(shape).filter((name) => !documented.has(name)),
    stale: [...documented.keys()].filter((name) => !(name in shape)),
    wrongDefault,
  };
}
