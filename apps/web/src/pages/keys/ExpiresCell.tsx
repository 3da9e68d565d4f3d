import { type ApiKey, isExpiringSoon } from '@tradetally/contracts';
import { relative, when } from '../../format.js';

/** When a key expires: "never", or how far off, warned about when soon (contracts' `isExpiringSoon`). */
export function ExpiresCell({ apiKey }: { apiKey: ApiKey }) {
  if (!apiKey.expiresAt) return <td>never</td>;
  const soon = isExpiringSoon(apiKey);
  return (
    <td title={when(apiKey.expiresAt)} class={soon ? 'warning' : ''}>
      {soon ? `⚠ ${relative(apiKey.expiresAt)}` : relative(apiKey.expiresAt)}
    </td>
  );
}
