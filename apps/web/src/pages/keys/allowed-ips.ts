import { AllowedIpsSchema, MAX_ALLOWED_IPS } from '@tradetally/contracts';

/** What the "Allowed addresses" field holds: the list to send (null = any address), or why it cannot be sent. */
export type ParsedAllowedIps = { ok: true; value: string[] | null } | { ok: false; error: string };

/**
 * Reads the "Allowed addresses" field: one address or CIDR per line or comma separated. An empty
 * field means "from anywhere". Checked with the contracts' own schema, so the page refuses exactly
 * what the API would, before a request is made, and names the entry that is wrong.
 */
export function parseAllowedIps(text: string): ParsedAllowedIps {
  // Duplicates are dropped rather than refused: pasting a list twice is not a mistake worth a message.
  const entries = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (entries.length === 0) return { ok: true, value: null };
  if (entries.length > MAX_ALLOWED_IPS) return { ok: false, error: `At most ${MAX_ALLOWED_IPS} addresses or ranges (you gave ${entries.length}).` };
  const parsed = AllowedIpsSchema.safeParse(entries);
  if (parsed.success) return { ok: true, value: parsed.data };
  const bad = [...new Set(parsed.error.issues.map((issue) => issue.path[0]).filter((i): i is number => typeof i === 'number'))].map((i) => `“${entries[i]}”`);
  return {
    ok: false,
    error: bad.length ? `Not an IPv4 or IPv6 address or CIDR range: ${bad.join(', ')}.` : (parsed.error.issues[0]?.message ?? 'Not a list of addresses.'),
  };
}

/** The compact form the key list shows: the first two entries, then how many more. */
export function summarizeAllowedIps(ips: string[]): string {
  return ips.length <= 2 ? ips.join(', ') : `${ips.slice(0, 2).join(', ')} +${ips.length - 2} more`;
}
