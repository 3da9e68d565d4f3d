import {
  type ApiKey,
  type ApiKeyEnvironment,
  type ApiKeyScope,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  displayApiKey,
} from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { FormFooter } from '../../../components/FormFooter.js';
import { Modal } from '../../../components/Modal.js';
import { useAction } from '../../../components/useAction.js';
import { parseAllowedIps } from '../allowed-ips.js';
import { AllowedIpsField } from '../fields/AllowedIpsField.js';
import { EnvironmentField } from '../fields/EnvironmentField.js';
import { type ExpiryChoice, ExpiryField, expiresAtOf } from '../fields/ExpiryField.js';
import { KeyNameField } from '../fields/KeyNameField.js';
import { ScopeField } from '../fields/ScopeField.js';
import { SelfRotateField } from '../fields/SelfRotateField.js';
import type { ShownSecret } from './shown-secret.js';

/** What a create dialog may start from: a replacement copies the key it replaces. */
export interface CreateKeyInitial {
  name?: string;
  scope?: ApiKeyScope;
  environment?: ApiKeyEnvironment;
  allowedIps?: string[] | null;
  selfRotate?: boolean;
}

/**
 * Create a key: read-only and 90 days preselected, "never" warned about. `decoy` makes a canary:
 * it never works, so scope, addresses and self-rotation mean nothing for it and are not asked.
 * `replaces`: the key a replacement is made for (from `initial`), named in the secret's note.
 */
export function CreateKeyDialog(props: {
  decoy?: boolean;
  initial?: CreateKeyInitial;
  replaces?: ApiKey;
  onCreated: (shown: ShownSecret) => void;
  onClose: () => void;
}) {
  const decoy = props.decoy === true;
  const [name, setName] = useState(props.initial?.name ?? '');
  const [scope, setScope] = useState<ApiKeyScope>(props.initial?.scope ?? 'read');
  const [environment, setEnvironment] = useState<ApiKeyEnvironment>(props.initial?.environment ?? 'live');
  // A decoy that expires would stop looking real; it gets no reminders either way (lifecycle.md).
  const [expiry, setExpiry] = useState<ExpiryChoice>({ preset: decoy ? 'never' : '90', date: '' });
  const [ips, setIps] = useState((props.initial?.allowedIps ?? []).join('\n'));
  const [ipsError, setIpsError] = useState<string | null>(null);
  const [selfRotate, setSelfRotate] = useState(props.initial?.selfRotate ?? false);
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    const allowed = decoy ? ({ ok: true, value: null } as const) : parseAllowedIps(ips);
    setIpsError(allowed.ok ? null : allowed.error);
    if (!allowed.ok) return;
    const expiresAt = expiresAtOf(expiry);
    const body: CreateApiKeyRequest = decoy
      ? { name, scope, environment, expiresAt, canary: true }
      : { name, scope, environment, expiresAt, selfRotate, ...(allowed.value ? { allowedIps: allowed.value } : {}) };
    const result = await api.createKey(body);
    props.onCreated({ secret: result.secret, heading: createdHeading(result), note: createdNote(result.apiKey, props.replaces) });
  });

  return (
    <Modal labelledBy="create-heading" testId={decoy ? 'decoy-dialog' : 'create-dialog'} onCancel={props.onClose}>
      <form onSubmit={submit}>
        <header>
          <h2 id="create-heading">{decoy ? 'Create a decoy key' : 'Create an API key'}</h2>
        </header>
        {decoy ? (
          <p class="note">
            Plant it where an intruder would look — a config file, a repository, a password manager. It grants nothing, and any use alerts you at once.
          </p>
        ) : null}
        <KeyNameField value={name} placeholder={decoy ? 'e.g. prod .env (decoy)' : 'e.g. Broker import'} onInput={setName} />
        {decoy ? null : <ScopeField value={scope} onChange={setScope} />}
        <EnvironmentField value={environment} decoy={decoy} onChange={setEnvironment} />
        <ExpiryField value={expiry} quiet={decoy} onChange={setExpiry} />
        {decoy ? null : (
          <>
            <AllowedIpsField value={ips} error={ipsError} onInput={setIps} />
            <SelfRotateField checked={selfRotate} onChange={setSelfRotate} />
          </>
        )}
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit={decoy ? 'Create decoy key' : 'Create key'} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

/** The secret dialog's heading: which key, and whether it is a decoy. */
function createdHeading(result: CreateApiKeyResponse): string {
  return `${result.apiKey.canary ? 'Decoy key' : 'Key'} “${result.apiKey.name}” created`;
}

/** The note under a new key's secret: where a decoy goes, or what to do with the key a replacement replaces. */
function createdNote(created: ApiKey, replaces: ApiKey | undefined): string | undefined {
  if (created.canary) return 'Plant it where an intruder would look. It never works; any use alerts you here and by e-mail.';
  if (replaces)
    return `Switch your integration to this key, then revoke the old one (${displayApiKey(replaces)}).${created.selfRotate ? ' This one renews itself.' : ''}`;
  return undefined;
}
