import { MAX_KEY_LIFETIME_DAYS } from '@tradetally/contracts';
import { daysFromNow } from '../../../format.js';

const EXPIRY_PRESETS = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['180', '180 days'],
  ['365', '365 days'],
  ['custom', 'Custom date'],
  ['never', 'Never'],
] as const;

/** The expiry the form holds: a preset (days, "custom" or "never") and the custom date, if any. */
export interface ExpiryChoice {
  preset: (typeof EXPIRY_PRESETS)[number][0];
  /** `YYYY-MM-DD`, used when `preset` is "custom". */
  date: string;
}

/** The `expiresAt` to send for a choice: the end of a custom day, so many days from now, or null for never. */
export function expiresAtOf(choice: ExpiryChoice): string | null {
  if (choice.preset === 'never') return null;
  if (choice.preset === 'custom') return new Date(`${choice.date}T23:59:59`).toISOString();
  return daysFromNow(Number(choice.preset));
}

/** When a key expires: a preset or a date at most the API's longest lifetime ahead; "never" is warned about unless `quiet`. */
export function ExpiryField(props: { value: ExpiryChoice; quiet: boolean; onChange: (choice: ExpiryChoice) => void }) {
  const { value, onChange } = props;
  return (
    <>
      <label for="key-expiry">Expires</label>
      <select id="key-expiry" value={value.preset} onChange={(e) => onChange({ ...value, preset: e.currentTarget.value as ExpiryChoice['preset'] })}>
        {EXPIRY_PRESETS.map(([preset, label]) => (
          <option key={preset} value={preset}>
            {label}
          </option>
        ))}
      </select>
      {value.preset === 'custom' ? (
        <>
          <label for="key-expiry-date">Expiry date (at most {MAX_KEY_LIFETIME_DAYS} days ahead)</label>
          <input
            id="key-expiry-date"
            type="date"
            required
            value={value.date}
            min={daysFromNow(1).slice(0, 10)}
            max={daysFromNow(MAX_KEY_LIFETIME_DAYS).slice(0, 10)}
            onInput={(e) => onChange({ ...value, date: e.currentTarget.value })}
          />
        </>
      ) : null}
      {value.preset === 'never' && !props.quiet ? (
        <p role="note" class="warning">
          A key that never expires stays dangerous forever if it leaks. Prefer an expiry and rotate it.
        </p>
      ) : null}
    </>
  );
}
