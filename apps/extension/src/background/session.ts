/** The extension session (http-api.md, "Extension sessions"), kept only in chrome.storage.session. */
export interface Session {
  token: string;
  email: string;
  /** The API origin that issued the token: the only one it is ever sent to. */
  origin: string;
}

/** The origin of an API address, or null when it is not an http(s) URL. */
export function originOf(apiUrl: string): string | null {
  try {
    const url = new URL(apiUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The session that may go with a request to `apiUrl`: only to the origin that issued it. A session
 * from another origin is never sent (the address changed under it: it is dropped by the caller).
 */
export function sessionFor(session: Session | undefined, apiUrl: string): Session | undefined {
  return session && originOf(apiUrl) === session.origin ? session : undefined;
}
