import { ERROR_CODES, ERROR_TITLES, type ErrorCode, PROBLEM_GUIDES, statusOfErrorCode } from '@tradetally/contracts';

/** Text for HTML: the five characters that could open markup, escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A guide's sentence as HTML: escaped, `code` spans as <code>. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}' +
  'code{font-family:ui-monospace,monospace;background:#eef1f4;padding:0 .2em;border-radius:3px}' +
  'a{color:#0b5cad}@media (prefers-color-scheme:dark){body{color:#e6e8eb;background:#14171a}code{background:#262b31}a{color:#7cb7ff}}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** A code's page: its status, title, what it means and what to do. */
export function problemPageHtml(code: ErrorCode): string {
  const guide = PROBLEM_GUIDES[code];
  return page(
    `${code}: ${ERROR_TITLES[code]}`,
    `<p><a href="./">TradeTally Keys API problems</a></p><h1><code>${code}</code></h1>` +
      `<p><strong>HTTP ${statusOfErrorCode(code)}: ${escapeHtml(ERROR_TITLES[code])}</strong></p>` +
      `<h2>What it means</h2><p>${inline(guide.meaning)}</p><h2>What to do</h2><p>${inline(guide.action)}</p>`,
  );
}

/** The list of every code, each linking to its page. */
export function problemIndexHtml(): string {
  const items = ERROR_CODES.map(
    (code) => `<li><a href="./${code}"><code>${code}</code></a> (${statusOfErrorCode(code)}): ${escapeHtml(ERROR_TITLES[code])}</li>`,
  );
  return page(
    'TradeTally Keys API problems',
    `<h1>Problems the API answers</h1><p>Every error is RFC 9457 problem details whose <code>type</code> is one of these pages and whose <code>code</code> is stable.</p><ul>${items.join('')}</ul>`,
  );
}

/** A code's guide as JSON, for clients that ask for it. */
export function problemGuideJson(code: ErrorCode) {
  return { code, status: statusOfErrorCode(code), title: ERROR_TITLES[code], ...PROBLEM_GUIDES[code] };
}

/** The same guides as Markdown: docs/problems.md is this text (a test keeps them equal). */
export function problemsMarkdown(): string {
  const sections = ERROR_CODES.map(
    (code) =>
      `## \`${code}\`\n\nHTTP ${statusOfErrorCode(code)}: ${ERROR_TITLES[code]}.\n\n**What it means.** ${PROBLEM_GUIDES[code].meaning}\n\n**What to do.** ${PROBLEM_GUIDES[code].action}\n`,
  );
  return (
    '# Problems the API answers\n\n' +
    'Every error of the API is RFC 9457 problem details (`application/problem+json`) with a stable `code`. Its `type` is ' +
    '`<PUBLIC_URL>/problems/<code>`, a page the API serves (HTML for a browser, JSON otherwise) with the text below:\n\n' +
    '```sh\ncurl -H "Accept: application/json" http://localhost:3000/problems/idempotency_key_reused\n```\n\n' +
    '<!-- This page is generated from PROBLEM_GUIDES in packages/contracts/src/problems.ts; apps/api/src/modules/problems/problems.e2e-spec.ts fails when it differs. -->\n\n' +
    sections.join('\n')
  );
}
