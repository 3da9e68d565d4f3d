import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DAY_MS } from '@tradetally/contracts';
import { hashOpaqueToken } from '@tradetally/database';
import type { AppConfig } from '../../config.js';

/** The cookie a successful sign-in sets to mark its device as known. */
export const DEVICE_COOKIE = 'tt_device';

/** How long a device stays known after its last successful sign-in (and the cookie's lifetime). */
export const KNOWN_DEVICE_MS = 30 * DAY_MS;

/**
 * Device tokens (security.md "The owner is not locked out by the account-wide ceiling"): a random
 * token, signed with the key pepper so a forged value is refused before any database lookup, and
 * stored only as the SHA-256 of its random part. The same signed value is the `tt_device` cookie
 * and the `deviceToken` of the login answer (for clients without cookies, such as the extension).
 */
export class DeviceTokens {
  private readonly secrets: string[];
  private readonly secure: boolean;

  constructor(config: Pick<AppConfig, 'peppers' | 'PUBLIC_URL'>) {
    // Current pepper first; tokens signed under an older one stay valid through a pepper rotation.
    this.secrets = config.peppers.map((pepper) => pepper.secret);
    this.secure = config.PUBLIC_URL.startsWith('https:');
  }

  /** A new device token, signed: `ttd_<random>.<signature>`. */
  issue(): string {
    return this.sign(`ttd_${randomBytes(32).toString('base64url')}`);
  }

  /** The stored form of a signed token's random part; null for anything this API did not sign. */
  hashOf(value: string | undefined): string | null {
    if (!value) return null;
    const dot = value.lastIndexOf('.');
    if (dot < 1) return null;
    const token = value.slice(0, dot);
    const signature = Buffer.from(value.slice(dot + 1), 'base64url');
    const signedBy = (secret: string) => {
      const expected = this.mac(secret, token);
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    };
    return this.secrets.some(signedBy) ? hashOpaqueToken(token) : null;
  }

  /** The `Set-Cookie` value for a device token: HttpOnly, SameSite=Strict, Secure on https, 30 days, sign-in routes only. */
  cookie(value: string): string {
    const parts = [`${DEVICE_COOKIE}=${value}`, 'Path=/v1/auth', `Max-Age=${KNOWN_DEVICE_MS / 1000}`, 'HttpOnly', 'SameSite=Strict'];
    if (this.secure) parts.push('Secure');
    return parts.join('; ');
  }

  private sign(token: string): string {
    return `${token}.${this.mac(this.secrets[0]!, token).toString('base64url')}`;
  }

  private mac(secret: string, token: string): Buffer {
    return createHmac('sha256', secret).update(`${DEVICE_COOKIE}:${token}`).digest();
  }
}

/** The `tt_device` value of a Cookie header, if any. */
export function deviceCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === DEVICE_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}
