/**
 * What a dialog that makes a key hands to the one-time secret dialog: the secret, a heading that
 * names the key, and an optional note on what to do next. It lives only in the page's dialog state.
 */
export interface ShownSecret {
  secret: string;
  heading: string;
  note?: string;
}
