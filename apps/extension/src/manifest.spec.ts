import { createHash } from 'node:crypto';
import { EXTENSION_ID } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { MANIFEST_KEY } from '../manifest.config.js';

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
