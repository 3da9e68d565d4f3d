import {
  type ApiKey,
  type ApiKeyScope,
  type CreateApiKeyRequest,
  type CreateApiKeyResponse,
  MAX_ALLOWED_IPS,
  type RotateApiKeyResponse,
  type UpdateApiKeyRequest,
} from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { parseAllowedIps } from '../allowed-ips.js';
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

/** What a create dialog may start from: a replacement copies the key it replaces. */
export interface CreateKeyInitial {
  name?: string;
  scope?: ApiKeyScope;
  environment?: 'live' | 'test';
  allowedIps?: string[] | null;
  selfRotate?: boolean;
}

/**
 * The "Allowed addresses" field. It is checked when the form is sent, not on every keystroke (a half
 * typed address is not an error); the message then replaces the hint and names the wrong entries.
 */
function AllowedIpsField(props: { value: string; error: string | null; onInput: (value: string) => void }) {
  return (
    <>
      <label for="key-ips">
        Allowed addresses <small class="note">(optional)</small>
      </label>
      <textarea
        id="key-ips"
        rows={2}
        value={props.value}
        spellcheck={false}
        placeholder={'203.0.113.7\n2001:db8::/32'}
        aria-invalid={props.error ? true : undefined}
        aria-describedby="key-ips-help"
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <small id="key-ips-help" class={props.error ? 'error' : undefined} role={props.error ? 'alert' : undefined}>
        {props.error ??
          `One address or CIDR range per line or comma separated, up to ${MAX_ALLOWED_IPS}. Requests from anywhere else get 403. Empty: any address.`}
      </small>
    </>
  );
}

/**
 * Create a key: read-only and 90 days preselected, "never" warned about. `decoy` makes a canary:
 * it never works, so scope, addresses and self-rotation mean nothing for it and are not asked.
 */
export function CreateKeyDialog(props: {
  decoy?: boolean;
  initial?: CreateKeyInitial;
  onCreated: (result: CreateApiKeyResponse) => void;
  onClose: () => void;
}) {
  const decoy = props.decoy === true;
  const [name, setName] = useState(props.initial?.name ?? '');
  const [scope, setScope] = useState<ApiKeyScope>(props.initial?.scope ?? 'read');
  const [environment, setEnvironment] = useState<'live' | 'test'>(props.initial?.environment ?? 'live');
  // A decoy that expires would stop looking real; it gets no reminders either way (lifecycle.md).
  const [expiry, setExpiry] = useState<string>(decoy ? 'never' : '90');
  const [custom, setCustom] = useState('');
  const [ips, setIps] = useState((props.initial?.allowedIps ?? []).join('\n'));
  const [ipsError, setIpsError] = useState<string | null>(null);
  const [selfRotate, setSelfRotate] = useState(props.initial?.selfRotate ?? false);
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    const allowed = decoy ? ({ ok: true, value: null } as const) : parseAllowedIps(ips);
    setIpsError(allowed.ok ? null : allowed.error);
    if (!allowed.ok) return;
    const expiresAt = expiry === 'never' ? null : expiry === 'custom' ? new Date(`${custom}T23:59:59`).toISOString() : daysFromNow(Number(expiry));
    const body: CreateApiKeyRequest = decoy
      ? { name, scope, environment, expiresAt, canary: true }
      : { name, scope, environment, expiresAt, selfRotate, ...(allowed.value ? { allowedIps: allowed.value } : {}) };
    props.onCreated(await api.createKey(body));
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
        <label for="key-name">Name</label>
        <input
          id="key-name"
          required
          maxLength={100}
          value={name}
          placeholder={decoy ? 'e.g. prod .env (decoy)' : 'e.g. Broker import'}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {decoy ? null : (
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
        )}
        <fieldset>
          <legend>Environment</legend>
          <label>
            <input type="radio" name="environment" checked={environment === 'live'} onChange={() => setEnvironment('live')} />
            Live <small>(tt_live_…, {decoy ? 'the most tempting to an intruder' : 'your real journal'})</small>
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
            <input
              id="key-expiry-date"
              type="date"
              required
              value={custom}
              min={daysFromNow(1).slice(0, 10)}
              max={daysFromNow(366).slice(0, 10)}
              onInput={(e) => setCustom(e.currentTarget.value)}
            />
          </>
        ) : null}
        {expiry === 'never' && !decoy ? (
          <p role="note" class="warning">
            A key that never expires stays dangerous forever if it leaks. Prefer an expiry and rotate it.
          </p>
        ) : null}
        {decoy ? null : (
          <>
            <AllowedIpsField value={ips} error={ipsError} onInput={setIps} />
            <label class="choice">
              <input type="checkbox" name="self-rotate" checked={selfRotate} onChange={(e) => setSelfRotate(e.currentTarget.checked)} />
              Let this key rotate itself
              <small>
                Your integration can renew its own key with <code>POST /v1/api-keys/self/rotate</code>, without you. You are told each time, and a leak report
                of the old key also revokes the new one.
              </small>
            </label>
          </>
        )}
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit={decoy ? 'Create decoy key' : 'Create key'} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

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
        <label for="key-name">Name</label>
        <input id="key-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        {key.canary ? null : <AllowedIpsField value={ips} error={ipsError} onInput={setIps} />}
        <ErrorNote error={error} />
        <FormFooter busy={busy} submit="Save" onCancel={props.onClose} />
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
          A new key with the same name, scope and environment replaces{' '}
          <code>
            {props.apiKey.prefix}…{props.apiKey.last4}
          </code>
          . Keep the old one working while your integration switches over:
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
