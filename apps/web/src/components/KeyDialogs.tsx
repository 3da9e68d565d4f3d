import type { ApiKey, ApiKeyScope, CreateApiKeyResponse, RotateApiKeyResponse } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { daysFromNow, when } from '../format.js';
import { ErrorNote, Modal } from './Modal.js';
import { useAction } from './useAction.js';

/** A dialog form's Cancel and submit buttons; the submit one shows and blocks while busy. */
function FormFooter(props: { busy: boolean; submit: string; onCancel: () => void }) {
  return (
    <footer>
      <button type="button" class="secondary" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" aria-busy={props.busy} disabled={props.busy}>
        {props.submit}
      </button>
    </footer>
  );
}

const EXPIRY_PRESETS = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['180', '180 days'],
  ['365', '365 days'],
  ['custom', 'Custom date'],
  ['never', 'Never'],
] as const;

/** Create a key: read-only and 90 days preselected, "never" warned about. */
export function CreateKeyDialog(props: { onCreated: (result: CreateApiKeyResponse) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [environment, setEnvironment] = useState<'live' | 'test'>('live');
  const [expiry, setExpiry] = useState<string>('90');
  const [custom, setCustom] = useState('');
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    const expiresAt = expiry === 'never' ? null : expiry === 'custom' ? new Date(`${custom}T23:59:59`).toISOString() : daysFromNow(Number(expiry));
    props.onCreated(await api.createKey({ name, scope, environment, expiresAt }));
  });

  return (
    <Modal labelledBy="create-heading" testId="create-dialog" onCancel={props.onClose}>
      <form onSubmit={submit}>
        <header>
          <h2 id="create-heading">Create an API key</h2>
        </header>
        <label for="key-name">Name</label>
        <input id="key-name" required maxLength={100} value={name} placeholder="e.g. Broker import" onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset>
          <legend>Scope</legend>
          <label>
            <input type="radio" name="scope" value="read" checked={scope === 'read'} onChange={() => setScope('read')} />
            Read only <small>— can read trades; cannot change anything.</small>
          </label>
          <label>
            <input type="radio" name="scope" value="read_write" checked={scope === 'read_write'} onChange={() => setScope('read_write')} />
            Read and write <small>— can also create, change, delete and import trades.</small>
          </label>
        </fieldset>
        <fieldset>
          <legend>Environment</legend>
          <label>
            <input type="radio" name="environment" checked={environment === 'live'} onChange={() => setEnvironment('live')} />
            Live <small>(tt_live_…, your real journal)</small>
          </label>
          <label>
            <input type="radio" name="environment" checked={environment === 'test'} onChange={() => setEnvironment('test')} />
            Test <small>(tt_test_…, for building an integration)</small>
          </label>
        </fieldset>
        <label for="key-expiry">Expires</label>
        <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}>
          {EXPIRY_PRESETS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        {expiry === 'custom' ? (
          <>
            <label for="key-expiry-date">Expiry date (at most 366 days ahead)</label>
            <input id="key-expiry-date" type="date" required value={custom} min={daysFromNow(1).slice(0, 10)} max={daysFromNow(366).slice(0, 10)} onInput={(e) => setCustom(e.currentTarget.value)} />
          </>
        ) : null}
        {expiry === 'never' ? (
          <p role="note" class="warning">
            A key that never expires stays dangerous forever if it leaks. Prefer an expiry and rotate it.
          </p>
        ) : null}
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit="Create key" onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

const GRACE = [
  [0, 'Now — the old key stops at once'],
  [60, '1 hour'],
  [1440, '24 hours'],
  [10080, '7 days'],
] as const;

/** Rotate a key with a grace period; ends on the new key's one-time secret. */
export function RotateDialog(props: { apiKey: ApiKey; initialGrace?: number; onRotated: (result: RotateApiKeyResponse) => void; onClose: () => void }) {
  const [grace, setGrace] = useState<number>(props.initialGrace ?? 1440);
  const { busy, error, run } = useAction();
  const submit = run(async () => props.onRotated(await api.rotateKey(props.apiKey.id, grace)));
  return (
    <Modal labelledBy="rotate-heading" testId="rotate-dialog" onCancel={props.onClose}>
      <form onSubmit={submit}>
        <header>
          <h2 id="rotate-heading">Rotate “{props.apiKey.name}”</h2>
        </header>
        <p>
          A new key with the same name, scope and environment replaces <code>{props.apiKey.prefix}…{props.apiKey.last4}</code>. Keep the old one working while your
          integration switches over:
        </p>
        <fieldset>
          <legend>Old key keeps working for</legend>
          {GRACE.map(([minutes, label]) => (
            <label key={minutes}>
              <input type="radio" name="grace" checked={grace === minutes} onChange={() => setGrace(minutes)} />
              {label}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit="Rotate key" onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

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
        <code>
          {props.apiKey.prefix}…{props.apiKey.last4}
        </code>{' '}
        stops working at once: every integration using it gets <code>401 api_key_revoked</code> on its next request. This cannot be undone.
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

/** The note under a rotation's new secret: when the old key stops. */
export function rotationNote(result: RotateApiKeyResponse): string {
  const end = result.previous.graceEndsAt;
  return end && Date.parse(end) > Date.now() + 1000
    ? `The old key ${result.previous.prefix}…${result.previous.last4} keeps working until ${when(end)}.`
    : `The old key ${result.previous.prefix}…${result.previous.last4} has stopped working.`;
}
