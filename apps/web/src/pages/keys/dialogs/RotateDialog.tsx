import { type ApiKey, MAX_GRACE_PERIOD_MINUTES, type RotateApiKeyResponse, displayApiKey } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { FormFooter } from '../../../components/FormFooter.js';
import { Modal } from '../../../components/Modal.js';
import { useAction } from '../../../components/useAction.js';
import { when } from '../../../format.js';
import type { ShownSecret } from './shown-secret.js';

/** The grace periods offered, in minutes; the longest is the longest the API allows. */
const GRACE = [
  [0, 'Now — the old key stops at once'],
  [60, '1 hour'],
  [1440, '24 hours'],
  [MAX_GRACE_PERIOD_MINUTES, '7 days'],
] as const;

/** Rotate a key with a grace period; ends on the new key's one-time secret, with when the old key stops. */
export function RotateDialog(props: { apiKey: ApiKey; initialGrace?: number; onRotated: (shown: ShownSecret) => void; onClose: () => void }) {
  const [grace, setGrace] = useState<number>(props.initialGrace ?? 1440);
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    const result = await api.rotateKey(props.apiKey.id, grace);
    props.onRotated({ secret: result.secret, heading: `Key “${result.apiKey.name}” rotated`, note: rotationNote(result) });
  });
  return (
    <Modal labelledBy="rotate-heading" testId="rotate-dialog" onCancel={props.onClose}>
      <form onSubmit={submit}>
        <header>
          <h2 id="rotate-heading">Rotate “{props.apiKey.name}”</h2>
        </header>
        <p>
          A new key with the same name, scope and environment replaces <code>{displayApiKey(props.apiKey)}</code>. Keep the old one working while your
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

/** The note under a rotation's new secret: when the old key stops. */
function rotationNote(result: RotateApiKeyResponse): string {
  const end = result.previous.graceEndsAt;
  return end && Date.parse(end) > Date.now() + 1000
    ? `The old key ${displayApiKey(result.previous)} keeps working until ${when(end)}.`
    : `The old key ${displayApiKey(result.previous)} has stopped working.`;
}
