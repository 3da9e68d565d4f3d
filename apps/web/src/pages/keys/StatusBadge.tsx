import type { ApiKey } from '@tradetally/contracts';
import { relative } from '../../format.js';

/** A key's status as a coloured badge (a rotation's grace end, a revocation's reason), after "Decoy" for a decoy. */
export function StatusBadge({ apiKey }: { apiKey: ApiKey }) {
  const grace = apiKey.status === 'active' && apiKey.graceEndsAt;
  const label = grace
    ? `rotating — ends ${relative(apiKey.graceEndsAt as string)}`
    : apiKey.status === 'revoked' && apiKey.revokeReason
      ? `revoked (${apiKey.revokeReason.replace('_', ' ')})`
      : apiKey.status;
  return (
    <>
      {apiKey.canary ? (
        <span class="badge decoy" title="A decoy: any use alerts you and grants nothing">
          Decoy
        </span>
      ) : null}{' '}
      <span class={`badge ${grace ? 'rotating' : apiKey.status}`}>{label}</span>
    </>
  );
}
