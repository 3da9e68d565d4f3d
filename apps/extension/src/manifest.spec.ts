import { createHash } from 'node:crypto';
import { EXTENSION_ID, ManagedPolicySchema } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { MANAGED_SCHEMA_FILE, MANIFEST_KEY, managedSchema } from '../manifest.config.js';
import manifest from '../manifest.config.js';

/** Chrome's id for a key: the first 32 hex digits of SHA-256 of the DER public key, 0-f mapped to a-p. */
const idOf = (key: string) =>
  [...createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32)].map((h) => String.fromCharCode(97 + Number.parseInt(h, 16))).join('');

describe('the pinned extension id', () => {
  it('is the id Chrome derives from the manifest key, as the contracts export it for the API', () => {
    expect(idOf(MANIFEST_KEY)).toBe(EXTENSION_ID);
  });

  it('is pinned by a public key only', () => {
    expect(MANIFEST_KEY).toMatch(/^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A/); // SubjectPublicKeyInfo, RSA 2048
    expect(MANIFEST_KEY).not.toMatch(/PRIVATE/);
  });
});

describe('the managed policy schema', () => {
  it('is declared, and lists exactly the policy keys of the contracts with their types, in keywords Chrome reads', async () => {
    const resolved = await (typeof manifest === 'function' ? manifest({ command: 'build', mode: 'production' }) : manifest);
    expect(resolved.storage).toEqual({ managed_schema: MANAGED_SCHEMA_FILE });
    const schema = managedSchema() as { type: string; properties: Record<string, { type: string; items?: { type: string } }> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(ManagedPolicySchema.shape).sort());
    expect(schema.properties.blockLivePastesOn).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schema.properties.allowIgnore?.type).toBe('boolean');
    expect(JSON.stringify(schema)).not.toMatch(/"\$schema"|"format"|"maxItems"|"maxLength"/);
  });
});
