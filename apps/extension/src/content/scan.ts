import { type ApiKeyEnvironment, findApiKeys, parseApiKey } from '@tradetally/contracts';

/** A key found on a page: the raw key stays in the content script's memory, never in storage. */
export interface Found {
  key: string;
  env: ApiKeyEnvironment;
  prefix: string;
  last4: string;
}

/** Keys in a text, deduplicated, with their display parts. */
export function keysIn(text: string): Found[] {
  const seen = new Set<string>();
  const out: Found[] = [];
  for (const { key, env } of findApiKeys(text)) {
    if (seen.has(key)) continue;
    seen.add(key);
    const parts = parseApiKey(key);
    if (parts) out.push({ key, env, prefix: parts.prefix, last4: parts.last4 });
  }
  return out;
}

/** A key is 46 characters; keeping 47 between slices lets a key (and the character before it) span two. */
export const CARRY = 47;

/**
 * Scans a long text that arrives in pieces (page text gathered slice by slice) holding only one
 * piece and a carry: a key that straddles two pieces is still found, once, and a key glued to a
 * letter in the next piece is not. Positions are absolute, so nothing is reported twice.
 */
export class StreamScanner {
  private tail = '';
  private tailStart = 0;
  private reportedUpTo = 0;

  /** Feeds the next piece; returns the keys whose both neighbours are now known. */
  push(piece: string): Found[] {
    return this.scan(this.tail + piece, false);
  }

  /** The end of the text: keys that end exactly at the end count too. */
  end(): Found[] {
    const found = this.scan(this.tail, true);
    this.tail = '';
    return found;
  }

  private scan(text: string, final: boolean): Found[] {
    const base = this.tailStart;
    const settled: string[] = [];
    for (const { key, index } of findApiKeys(text)) {
      if (!final && index + 46 >= text.length) continue; // the next character is not known yet
      if (index === 0 && base > 0) continue; // the previous character was cut: it was judged before
      if (base + index < this.reportedUpTo) continue;
      settled.push(key);
      this.reportedUpTo = base + index + 46;
    }
    const cut = Math.max(0, text.length - CARRY);
    this.tail = text.slice(cut);
    this.tailStart = base + cut;
    return settled.flatMap((key) => keysIn(key));
  }
}

/** Tags whose text reads as a unit: inline children (syntax-highlighting spans) join without a gap. */
const BLOCKS = new Set([
  'P',
  'DIV',
  'LI',
  'TD',
  'TH',
  'PRE',
  'BLOCKQUOTE',
  'ARTICLE',
  'SECTION',
  'MAIN',
  'BODY',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'DD',
  'DT',
  'FIGCAPTION',
  'TEXTAREA',
  'HTML',
]);

/** The nearest ancestor whose whole text should be scanned when `node` changes. */
export function blockOf(node: Node): Element | null {
  let element: Element | null = node.nodeType === 1 ? (node as Element) : node.parentElement;
  while (element && !BLOCKS.has(element.tagName)) element = element.parentElement;
  return element;
}
