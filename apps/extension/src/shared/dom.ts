/** A child of `h()`: nodes and text; null, undefined and false are skipped (for conditional parts). */
export type Child = Node | string | null | undefined | false;

/** Attributes of `h()`: strings and numbers are set, `true` sets an empty attribute, `on…` functions listen. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/**
 * Builds an element. Text is always text (never parsed as HTML), so user data (an e-mail, a key's
 * name, a site) cannot become markup. The popup and options pages are built from it.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** A `prefix…last4` key label. */
export const keyLabel = (key: { prefix: string; last4: string }) => h('code', {}, `${key.prefix}…${key.last4}`);
