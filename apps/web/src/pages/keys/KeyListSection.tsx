import type { ApiKey } from '@tradetally/contracts';
import type { OpenDialog } from './key-dialog.js';
import { KeyRow } from './KeyRow.js';

/** Which keys the list shows. */
export type KeyFilter = 'active' | 'all';

const COLUMNS = ['Name', 'Key', 'Access', 'Status', 'Created', 'Expires', 'Last used'];

/** "Your keys": the filter, the buttons that make keys, and the table of keys. */
export function KeyListSection(props: { keys: ApiKey[]; filter: KeyFilter; loading: boolean; onFilter: (filter: KeyFilter) => void; onOpen: OpenDialog }) {
  const { filter, onFilter, onOpen } = props;
  const empty = props.loading ? 'Loading…' : filter === 'active' ? 'No active keys yet. Create one to connect an integration.' : 'No keys yet.';
  return (
    <section aria-labelledby="keys-heading">
      <div class="bar">
        <h2 id="keys-heading">Your keys</h2>
        <fieldset role="group" aria-label="Show">
          <button type="button" aria-pressed={filter === 'active'} class={filter === 'active' ? '' : 'outline'} onClick={() => onFilter('active')}>
            Active
          </button>
          <button type="button" aria-pressed={filter === 'all'} class={filter === 'all' ? '' : 'outline'} onClick={() => onFilter('all')}>
            All
          </button>
        </fieldset>
        <div class="create">
          <button type="button" onClick={() => onOpen({ kind: 'create' })}>
            Create key
          </button>
          <button type="button" class="secondary outline" onClick={() => onOpen({ kind: 'create', decoy: true })}>
            Create a decoy key
          </button>
        </div>
      </div>
      <div class="overflow-auto">
        <table class="striped" data-testid="keys">
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.keys.length === 0 ? (
              <tr>
                <td colSpan={COLUMNS.length + 1}>{empty}</td>
              </tr>
            ) : null}
            {props.keys.map((key) => (
              <KeyRow key={key.id} apiKey={key} onOpen={onOpen} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
