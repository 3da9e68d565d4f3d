import type { ApiKeyEnvironment } from '@tradetally/contracts';

/** Live or test; for a decoy, live is said to be the better bait. */
export function EnvironmentField(props: { value: ApiKeyEnvironment; decoy: boolean; onChange: (environment: ApiKeyEnvironment) => void }) {
  return (
    <fieldset>
      <legend>Environment</legend>
      <label>
        <input type="radio" name="environment" checked={props.value === 'live'} onChange={() => props.onChange('live')} />
        Live <small>(tt_live_…, {props.decoy ? 'the most tempting to an intruder' : 'your real journal'})</small>
      </label>
      <label>
        <input type="radio" name="environment" checked={props.value === 'test'} onChange={() => props.onChange('test')} />
        Test <small>(tt_test_…, for building an integration)</small>
      </label>
    </fieldset>
  );
}
