import { type ApiKey, displayApiKey } from '@tradetally/contracts';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { Modal } from '../../../components/Modal.js';
import { useAction } from '../../../components/useAction.js';

/** Revoke with confirmation. */
export function RevokeDialog(props: { apiKey: ApiKey; onRevoked: () => void; onClose: () => void }) {
  const { busy, error, run } = useAction();
  const revoke = run(async () => {
    await api.revokeKey(props.apiKey.id);
    props.onRevoked();
  });
  return (
    <Modal labelledBy="revoke-heading" testId="revoke-dialog" onCancel={props.onClose}>
      <header>
        <h2 id="revoke-heading">Revoke “{props.apiKey.name}”?</h2>
      </header>
      <p>
        <code>{displayApiKey(props.apiKey)}</code> stops working at once: every integration using it gets <code>401 api_key_revoked</code> on its next request.
        This cannot be undone.
      </p>
      <ErrorNote error={error} />
      <footer>
        <button type="button" class="secondary" onClick={props.onClose}>
          Keep it
        </button>
        <button type="button" class="contrast" aria-busy={busy} disabled={busy} onClick={() => revoke()}>
          Revoke key
        </button>
      </footer>
    </Modal>
  );
}
