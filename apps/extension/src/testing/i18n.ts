import { readFileSync } from 'node:fs';

interface Message {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

const messages = JSON.parse(readFileSync(new URL('../../public/_locales/en/messages.json', import.meta.url), 'utf8')) as Record<string, Message>;

/**
 * chrome.i18n for unit specs, from the real `messages.json`, filled as Chrome fills it: a named
 * placeholder (`$KEY$`, any case) takes its `content`, in which `$1`..`$9` are the substitutions.
 */
export function stubI18n(): void {
  const getMessage = (name: string, substitutions: string[] = []): string => {
    const entry = messages[name];
    if (!entry) return '';
    const fill = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
    const placeholders = Object.fromEntries(Object.entries(entry.placeholders ?? {}).map(([k, v]) => [k.toLowerCase(), fill(v.content)]));
    return entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name: string) => placeholders[name.toLowerCase()] ?? '').replace(/\$\$/g, '$');
  };
  Object.assign(globalThis, { chrome: { i18n: { getMessage, getUILanguage: () => 'en' } } });
}
