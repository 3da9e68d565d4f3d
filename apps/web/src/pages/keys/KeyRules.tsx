import type { ApiKey } from '@tradetally/contracts';
import { summarizeAllowedIps } from './allowed-ips.js';

/** Where a key may be used from and whether it renews itself, in a line each under its access. */
export function KeyRules({ apiKey }: { apiKey: ApiKey }) {
  return (
    <>
      {apiKey.allowedIps ? (
        <small class="rule" title={`Works only from ${apiKey.allowedIps.join(', ')}`} data-testid="allowed-ips">
          only from {summarizeAllowedIps(apiKey.allowedIps)}
        </small>
      ) : null}
      {apiKey.selfRotate ? (
        <small class="rule" title="Its integration renews it with POST /v1/api-keys/self/rotate" data-testid="self-rotate">
          ↻ rotates itself
        </small>
      ) : null}
    </>
  );
}
