/**
 * The site a frame belongs to, as the ignore list and detections name it: the host of its origin.
 * A frame without an origin of its own (about:blank) inherits its parent's; an opaque (`null`)
 * origin, as in a sandboxed frame, falls back to the host of the frame's URL.
 */
export function siteOf(origin: string | undefined, url: string | undefined): string {
  for (const candidate of [origin, url]) {
    if (!candidate || candidate === 'null') continue;
    try {
      const parsed = new URL(candidate);
      if (parsed.hostname) return parsed.hostname;
    } catch {
      // not a URL (or an opaque one): try the next candidate
    }
  }
  return 'unknown';
}

/**
 * Where a key was seen, for a leak report: origin and path of an http(s) page only. A query string
 * or fragment may hold the page's own secrets, and a sandboxed or opaque-origin frame (`null`) has
 * no address worth sending, so it reports without one.
 */
export function reportUrl(origin: string, pathname: string): string | undefined {
  if (origin === 'null' || !/^https?:\/\//.test(origin)) return undefined;
  return `${origin}${pathname}`;
}
