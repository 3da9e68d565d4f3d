/** Whether a new key may rotate itself, with what that means. */
export function SelfRotateField(props: { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label class="choice">
      <input type="checkbox" name="self-rotate" checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      Let this key rotate itself
      <small>
        Your integration can renew its own key with <code>POST /v1/api-keys/self/rotate</code>, without you. You are told each time, and a leak report of the
        old key also revokes the new one.
      </small>
    </label>
  );
}
