import type { ApiKeyScope } from '@tradetally/contracts';

/** What each scope lets a key do, in the words the form uses. */
const SCOPES: readonly [ApiKeyScope, string, string][] = [
  ['read', 'Read only', '— can read trades; cannot change anything.'],
  ['read_write', 'Read and write', '— can also create, change, delete and import trades.'],
];

/** The scope a new key gets, one radio button per scope. */
export function ScopeField(props: { value: ApiKeyScope; onChange: (scope: ApiKeyScope) => void }) {
  return (
    <fieldset>
      <legend>Scope</legend>
      {SCOPES.map(([scope, label, explanation]) => (
        <label key={scope}>
          <input type="radio" name="scope" value={scope} checked={props.value === scope} onChange={() => props.onChange(scope)} />
          {label} <small>{explanation}</small>
        </label>
      ))}
    </fieldset>
  );
}
