import type messages from '../../public/_locales/en/messages.json';

/** The name of a message in `public/_locales/en/messages.json`: a typo is a type error. */
export type MessageName = keyof typeof messages;

/**
 * A user-visible string, through chrome.i18n (`default_locale: "en"`). Substitutions fill the
 * message's placeholders in order; the name stands in when a message is missing, so a gap shows
 * instead of an empty button.
 */
export function t(name: MessageName, ...substitutions: Array<string | number>): string {
  return chrome.i18n.getMessage(name, substitutions.map(String)) || name;
}

// Private-use characters no message contains: they mark where a node goes in a translated sentence.
const OPEN = '\uE000';
const CLOSE = '\uE001';

/**
 * A message whose placeholders are nodes (a `<code>` key, a `<strong>` address): the translated
 * sentence decides where they go, the nodes keep their markup. Text stays text (never HTML).
 */
export function tNodes(name: MessageName, ...substitutions: Array<string | Node>): Array<string | Node> {
  const text = t(name, ...substitutions.map((s, i) => (typeof s === 'string' ? s : `${OPEN}${i}${CLOSE}`)));
  const parts: Array<string | Node> = [];
  for (const piece of text.split(OPEN)) {
    const end = piece.indexOf(CLOSE);
    if (end < 0) {
      if (piece) parts.push(piece);
      continue;
    }
    const node = substitutions[Number(piece.slice(0, end))];
    if (node !== undefined) parts.push(node);
    if (piece.slice(end + 1)) parts.push(piece.slice(end + 1));
  }
  return parts;
}
