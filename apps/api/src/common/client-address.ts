import ipaddr from 'ipaddr.js';

/**
 * How the client address is found behind proxies (security.md "Client address"): `false` (the
 * socket's address), a hop count, or the proxies' addresses and CIDRs, each applied by proxy-addr
 * (app.factory.ts hands Fastify a hop count as a function, with Express's meaning); `true` is refused
 * because trusting every hop lets any client choose its address with X-Forwarded-For, and so are a
 * `/0` (`0.0.0.0/0`, `::/0`: the same as `true`) and lists of more than 10 entries.
 */
export type TrustProxy = false | number | string[];

const MAX_HOPS = 10;
/** More proxies than this in TRUST_PROXY is a list that trusts far more than a proxy chain. */
const MAX_PROXIES = 10;

/** Parses `TRUST_PROXY`; throws a message fit to follow the variable's name. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === 'false' || text === '') return false;
  if (text === 'true') {
    throw new Error('"true" would trust every X-Forwarded-For entry, which clients write; give a hop count (1..10) or the proxies\' addresses/CIDRs');
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > MAX_HOPS) throw new Error(`a hop count must be 1..${MAX_HOPS}`);
    return hops;
  }
  const entries = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (entries.length > MAX_PROXIES) {
    throw new Error(`${entries.length} entries is more than a proxy chain needs (at most ${MAX_PROXIES}); name the proxies' addresses or CIDRs`);
  }
  for (const entry of entries) {
    const valid = entry.includes('/') ? isCidr(entry) : ipaddr.isValid(entry);
    if (!valid) throw new Error(`"${entry}" is neither an address nor a CIDR (want false, 1..${MAX_HOPS}, or a list such as 10.0.0.1,fd00::/8)`);
    if (valid && entry.includes('/') && ipaddr.parseCIDR(entry)[1] === 0) {
      throw new Error(`"${entry}" trusts every address, which lets any client choose its address with X-Forwarded-For; name the proxies' addresses or CIDRs`);
    }
  }
  return entries;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The identity rate limits count by: an IPv4 address as it is, an IPv6 client by its /64 (one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses is no limit at all).
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function rateLimitIdentity(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((part) => part.toString(16)).join(':')}::/64`;
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/**
 * A key's `allowedIps` as a test of one client address, built once per distinct list (the list is
 * parsed and its ranges compiled here, not on every request). An address alone is a /32 or /128.
 */
export function compileAllowedIps(entries: readonly string[]): (address: string) => boolean {
  const ranges = entries.map((entry) =>
    entry.includes('/') ? ipaddr.parseCIDR(entry) : ipaddr.parseCIDR(`${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}`),
  );
  const v4 = ranges.filter(([range]) => range.kind() === 'ipv4') as Array<[ipaddr.IPv4, number]>;
  const v6 = ranges.filter(([range]) => range.kind() === 'ipv6') as Array<[ipaddr.IPv6, number]>;
  const test = (address: string): boolean => {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    if (parsed.kind() === 'ipv4') return v4.some((range) => (parsed as ipaddr.IPv4).match(range));
    return v6.some((range) => (parsed as ipaddr.IPv6).match(range));
  };
  // An integration calls from a handful of addresses: remember each answer, so a request pays a
  // map lookup instead of parsing its address again (bounded, for clients that change address).
  const answers = new Map<string, boolean>();
  return (address: string) => {
    let allowed = answers.get(address);
    if (allowed === undefined) {
      if (answers.size >= 1024) answers.clear();
      answers.set(address, (allowed = test(address)));
    }
    return allowed;
  };
}
