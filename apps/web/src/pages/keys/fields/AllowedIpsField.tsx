import { MAX_ALLOWED_IPS } from '@tradetally/contracts';

/**
 * The "Allowed addresses" field. It is checked when the form is sent, not on every keystroke (a half
 * typed address is not an error); the message then replaces the hint and names the wrong entries.
 */
export function AllowedIpsField(props: { value: string; error: string | null; onInput: (value: string) => void }) {
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
