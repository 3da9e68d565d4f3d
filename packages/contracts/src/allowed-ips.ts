/**
 * One entry of a key's `allowedIps`, normalised: an IPv4-mapped IPv6 address or prefix
 * (`::ffff:a.b.c.d`, `::ffff:a.b.c.d/120`) becomes the IPv4 address or prefix it names (a client
 * reaching the API over IPv4 is compared as IPv4, so the mapped form would never match); a CIDR with
 * host bits set (`10.1.2.3/8`) or a `/0` is refused: it would look pinned and allow everyone, or
 * more than it says.
 */
export type NormalisedAllowedIp = { ok: true; value: string } | { ok: false; error: string };

const HOST_BITS = 'host bits are set: give the network address of the range (10.0.0.0/8, not 10.1.2.3/8)';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The four bytes of a dotted IPv4 address, or null. */
function ipv4Bytes(text: string): number[] | null {
  return IPV4.test(text) ? text.split('.').map(Number) : null;
}

/** The sixteen bytes of an IPv6 address (`::`, an embedded IPv4 tail and zone-less forms), or null. */
function ipv6Bytes(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  if (!left || !right) return null;
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const words = [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/** True when every bit of `bytes` after the first `prefix` bits is 0. */
function hostBitsClear(bytes: number[], prefix: number): boolean {
  return bytes.every((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return (byte & (0xff >> keep)) === 0;
  });
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) names, or null. */
function mappedIpv4(bytes: number[]): number[] | null {
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : null;
}

/**
 * Normalises one `allowedIps` entry (an IPv4 or IPv6 address, or a CIDR range of either); answers
 * the entry to store, or why it is refused.
 */
export function normaliseAllowedIp(entry: string): NormalisedAllowedIp {
  const [address, prefixText, extra] = entry.split('/');
  if (extra !== undefined || address === undefined) return { ok: false, error: 'must be an IPv4 or IPv6 address or CIDR' };
  const v4 = ipv4Bytes(address);
  const v6 = v4 ? null : ipv6Bytes(address);
  if (!v4 && !v6) return { ok: false, error: 'must be an IPv4 or IPv6 address or CIDR' };
  const bits = v4 ? 32 : 128;
  let prefix: number | null = null;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return { ok: false, error: 'must be an IPv4 or IPv6 address or CIDR' };
    prefix = Number(prefixText);
    if (prefix === 0) return { ok: false, error: 'a /0 range allows every address; leave allowedIps unset to allow any address' };
  }
  const mapped = v6 ? mappedIpv4(v6) : null;
  if (mapped && (prefix === null || prefix >= 96)) {
    const v4prefix = prefix === null ? null : prefix - 96;
    if (v4prefix === 0) return { ok: false, error: 'a /0 range allows every address; leave allowedIps unset to allow any address' };
    if (v4prefix !== null && !hostBitsClear(mapped, v4prefix)) return { ok: false, error: HOST_BITS };
    return { ok: true, value: v4prefix === null ? mapped.join('.') : `${mapped.join('.')}/${v4prefix}` };
  }
  if (prefix !== null && !hostBitsClear((v4 ?? v6) as number[], prefix)) return { ok: false, error: HOST_BITS };
  return { ok: true, value: entry };
}
