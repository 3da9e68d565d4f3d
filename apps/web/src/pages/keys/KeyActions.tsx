import { type ApiKey, canRotate } from '@tradetally/contracts';
import type { KeyDialog, OpenDialog } from './key-dialog.js';

/** One button of a key's row: when it shows, what it opens, and how a screen reader names it. */
interface KeyAction {
  label: string;
  class: string;
  shows: (key: ApiKey) => boolean;
  opens: (key: ApiKey) => KeyDialog;
  /** The accessible name: the label and the key's name unless said otherwise. */
  name?: (key: ApiKey) => string;
}

/** A row's buttons, in order. A new action on a key (pause, limits...) is one more entry. */
const KEY_ACTIONS: readonly KeyAction[] = [
  { label: 'Rotate', class: 'outline', shows: (key) => canRotate(key), opens: (key) => ({ kind: 'rotate', key }) },
  { label: 'Revoke', class: 'outline contrast', shows: (key) => key.status === 'active', opens: (key) => ({ kind: 'revoke', key }) },
  // A key in its rotation's grace is on its way out: its successor is the one to rename or restrict.
  { label: 'Edit', class: 'outline secondary', shows: (key) => key.status === 'active' && !key.rotatedToId, opens: (key) => ({ kind: 'edit', key }) },
  {
    label: 'History',
    class: 'outline secondary',
    shows: () => true,
    opens: (key) => ({ kind: 'history', key }),
    name: (key) => `History of ${key.name}`,
  },
];

/** The actions cell of a key's row. */
export function KeyActions(props: { apiKey: ApiKey; onOpen: OpenDialog }) {
  const key = props.apiKey;
  return (
    <td class="actions">
      {KEY_ACTIONS.filter((action) => action.shows(key)).map((action) => (
        <button
          key={action.label}
          type="button"
          class={action.class}
          aria-label={action.name ? action.name(key) : `${action.label} ${key.name}`}
          onClick={() => props.onOpen(action.opens(key))}
        >
          {action.label}
        </button>
      ))}
    </td>
  );
}
