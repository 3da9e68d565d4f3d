import { type ApiKey, displayApiKey } from '@tradetally/contracts';
import { relative, when } from '../../format.js';
import { ExpiresCell } from './ExpiresCell.js';
import { KeyActions } from './KeyActions.js';
import { KeyRules } from './KeyRules.js';
import { LastUsed } from './LastUsed.js';
import type { OpenDialog } from './key-dialog.js';
import { StatusBadge } from './StatusBadge.js';

/** What a key may do, as the list says it: a decoy does nothing. */
const access = (key: ApiKey) => (key.canary ? 'decoy' : key.scope === 'read' ? 'read' : 'read & write');

/** One key in the list: its columns in the order of `KeyListSection`'s header. */
export function KeyRow(props: { apiKey: ApiKey; onOpen: OpenDialog }) {
  const key = props.apiKey;
  return (
    <tr data-key-id={key.id} data-status={key.status} data-canary={key.canary ? 'true' : undefined}>
      <th scope="row">{key.name}</th>
      <td>
        <code>{displayApiKey(key)}</code>
      </td>
      <td>
        {access(key)} · {key.environment}
        <KeyRules apiKey={key} />
      </td>
      <td>
        <StatusBadge apiKey={key} />
      </td>
      <td title={when(key.createdAt)}>{relative(key.createdAt)}</td>
      <ExpiresCell apiKey={key} />
      <td>
        <LastUsed apiKey={key} />
      </td>
      <KeyActions apiKey={key} onOpen={props.onOpen} />
    </tr>
  );
}
