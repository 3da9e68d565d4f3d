import type { ApiKey, UpdateApiKeyRequest } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { FormFooter } from '../../../components/FormFooter.js';
import { Modal } from '../../../components/Modal.js';
import { useAction } from '../../../components/useAction.js';
import { parseAllowedIps } from '../allowed-ips.js';
import { AllowedIpsField } from '../fields/AllowedIpsField.js';
import { KeyNameField } from '../fields/KeyNameField.js';

/** Rename a key and change where it may be used from (`PATCH /v1/api-keys/:id`); only what changed is sent. */
export function EditKeyDialog(props: { apiKey: ApiKey; onSaved: () => void; onClose: () => void }) {
  const key = props.apiKey;
  const [name, setName] = useState(key.name);
  const [ips, setIps] = useState((key.allowedIps ?? []).join('\n'));
  const [ipsError, setIpsError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    // A decoy's addresses would only stop it from alerting, so they are not offered for it.
    const allowed = key.canary ? ({ ok: true, value: key.allowedIps } as const) : parseAllowedIps(ips);
    setIpsError(allowed.ok ? null : allowed.error);
    if (!allowed.ok) return;
    const body: UpdateApiKeyRequest = {};
    if (name.trim() !== key.name) body.name = name;
    if ((allowed.value ?? []).join(',') !== (key.allowedIps ?? []).join(',')) body.allowedIps = allowed.value;
    if (body.name !== undefined || body.allowedIps !== undefined) await api.updateKey(key.id, body);
    props.onSaved();
  });
  return (
    <Modal labelledBy="edit-heading" testId="edit-dialog" onCancel={props.onClose}>
      <form onSubmit={submit}>
        <header>
          <h2 id="edit-heading">Edit “{key.name}”</h2>
        </header>
        <KeyNameField value={name} onInput={setName} />
        {key.canary ? null : <AllowedIpsField value={ips} error={ipsError} onInput={setIps} />}
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit="Save" onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
