import { SecretDialog } from '../../components/SecretDialog.js';
import { KeyDetailDialog } from './detail/KeyDetailDialog.js';
import { CreateKeyDialog } from './dialogs/CreateKeyDialog.js';
import { EditKeyDialog } from './dialogs/EditKeyDialog.js';
import { RevokeDialog } from './dialogs/RevokeDialog.js';
import { RotateDialog } from './dialogs/RotateDialog.js';
import type { ShownSecret } from './dialogs/shown-secret.js';
import type { KeyDialog, OpenDialog } from './key-dialog.js';

/**
 * Shows the open dialog. `onDone` closes it after something may have changed (the page reloads);
 * `onDismiss` closes one that only read. A key made or rotated moves on to its one-time secret.
 */
export function KeyDialogHost(props: { dialog: KeyDialog | null; onOpen: OpenDialog; onDone: () => void; onDismiss: () => void }) {
  const { dialog, onDone } = props;
  const showSecret = (shown: ShownSecret) => props.onOpen({ kind: 'secret', ...shown });
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'create':
      return <CreateKeyDialog decoy={dialog.decoy} initial={dialog.initial} replaces={dialog.replaces} onClose={onDone} onCreated={showSecret} />;
    case 'edit':
      return <EditKeyDialog apiKey={dialog.key} onClose={onDone} onSaved={onDone} />;
    case 'rotate':
      return <RotateDialog apiKey={dialog.key} initialGrace={dialog.grace} onClose={onDone} onRotated={showSecret} />;
    case 'revoke':
      return <RevokeDialog apiKey={dialog.key} onClose={onDone} onRevoked={onDone} />;
    case 'secret':
      return <SecretDialog secret={dialog.secret} heading={dialog.heading} note={dialog.note} onDone={onDone} />;
    case 'history':
      return <KeyDetailDialog apiKey={dialog.key} onClose={props.onDismiss} />;
  }
}
