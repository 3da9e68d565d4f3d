/** Paths that belong to the API; everything else is the settings page. */
export const API_PATH = /^\/(v1|docs|metrics)(\/|$|-)/i;

/** The path of a URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
