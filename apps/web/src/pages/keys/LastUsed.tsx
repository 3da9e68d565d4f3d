import type { ApiKey } from '@tradetally/contracts';
import { relative, shortAgent, when } from '../../format.js';

/** When a key was last used, and from which address and client (the user agent, shortened; whole on hover). */
export function LastUsed({ apiKey }: { apiKey: ApiKey }) {
  if (!apiKey.lastUsedAt) return <>never</>;
  return (
    <>
      <span title={when(apiKey.lastUsedAt)}>{relative(apiKey.lastUsedAt)}</span>
      {apiKey.lastUsedIp || apiKey.lastUsedUserAgent ? (
        <small class="rule" data-testid="last-used-from">
          {apiKey.lastUsedIp ? <code>{apiKey.lastUsedIp}</code> : null}
          {apiKey.lastUsedIp && apiKey.lastUsedUserAgent ? ' · ' : null}
          {apiKey.lastUsedUserAgent ? <span title={apiKey.lastUsedUserAgent}>{shortAgent(apiKey.lastUsedUserAgent)}</span> : null}
        </small>
      ) : null}
    </>
  );
}
