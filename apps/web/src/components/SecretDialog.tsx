import { useState } from 'preact/hooks';
import { Modal } from './Modal.js';

/**
 * The one time a key's secret is shown. It can be closed only once the trader says it is saved;
 * closing unmounts it, so the secret leaves the page's state and DOM (it is never stored).
 */
export function SecretDialog(props: { secret: string; heading: string; note?: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const [saved, setSaved] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(props.secret);
    setCopied(true);
  };
  return (
    <Modal labelledBy="secret-heading" testId="secret-dialog" onCancel={() => saved && props.onDone()}>
      <header>
        <h2 id="secret-heading">{props.heading}</h2>
      </header>
      <p>
        <strong>Copy this key now. You will not see it again:</strong> TradeTally keeps only a fingerprint of it.
      </p>
      <label for="secret-value">Your new API key</label>
      <div role="group">
        <input id="secret-value" readOnly value={props.secret} spellcheck={false} autocomplete="off" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copy()} aria-live="polite">
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {props.note ? <p class="note">{props.note}</p> : null}
      <label>
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />I have stored this key somewhere safe
      </label>
      <footer>
        <button type="button" disabled={!saved} onClick={props.onDone}>
          Done
        </button>
      </footer>
    </Modal>
  );
}
