import type { ApiKey } from '@tradetally/contracts';
import type { CreateKeyInitial } from './dialogs/CreateKeyDialog.js';
import type { ShownSecret } from './dialogs/shown-secret.js';

/**
 * The one dialog the keys page may have open. Rows, the review and the bar above the list open
 * one by value; `KeyDialogHost` shows it. A new dialog is one more member here and one more case there.
 */
export type KeyDialog =
  // `replaces`: the key a self-rotating replacement is made for, named in the secret dialog's note.
  | { kind: 'create'; decoy?: boolean; initial?: CreateKeyInitial; replaces?: ApiKey }
  | { kind: 'edit'; key: ApiKey }
  | { kind: 'rotate'; key: ApiKey; grace?: number }
  | { kind: 'revoke'; key: ApiKey }
  | { kind: 'history'; key: ApiKey }
  // The only place a secret ever lives: this state, until the dialog is closed.
  | ({ kind: 'secret' } & ShownSecret);

/** Opens a dialog in place of the current one. */
export type OpenDialog = (dialog: KeyDialog) => void;
