import { MAX_KEY_NAME_LENGTH } from '@tradetally/contracts';

/** A key's name, as long as the API allows. */
export function KeyNameField(props: { value: string; placeholder?: string; onInput: (value: string) => void }) {
  return (
    <>
      <label for="key-name">Name</label>
      <input
        id="key-name"
        required
        maxLength={MAX_KEY_NAME_LENGTH}
        value={props.value}
        placeholder={props.placeholder}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </>
  );
}
