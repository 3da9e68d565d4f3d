/** A dialog form's Cancel and submit buttons; the submit one shows and blocks while busy. */
export function FormFooter(props: { busy: boolean; submit: string; onCancel: () => void }) {
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
