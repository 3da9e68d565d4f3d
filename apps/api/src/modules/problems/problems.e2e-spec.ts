import { readFileSync } from 'node:fs';
import { ERROR_CODES, ERROR_TITLES, PROBLEM_GUIDES, statusOfErrorCode } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../../testing/harness.js';
import { problemsMarkdown } from './problem-pages.js';

const PUBLIC_URL = 'https://keys.example.test';

describe('problem pages at /problems/<code>', () => {
  const suite = useTestApi('sqlite', { PUBLIC_URL });

  it('serves a page for every error code: HTML for a browser, JSON when asked', async () => {
    for (const code of ERROR_CODES) {
      const html = await suite.api.request('GET', `/problems/${code}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(html.status, code).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html.text).toContain(`<code>${code}</code>`);
      expect(html.text).toContain(`HTTP ${statusOfErrorCode(code)}`);
      const json = await suite.api.request('GET', `/problems/${code}`, { headers: { accept: 'application/json' } });
      expect(json.body).toEqual({ code, status: statusOfErrorCode(code), title: ERROR_TITLES[code], ...PROBLEM_GUIDES[code] });
    }
    const index = await suite.api.request('GET', '/problems', { headers: { accept: 'text/html' } });
    for (const code of ERROR_CODES) expect(index.text).toContain(`href="./${code}"`);
  });

  it('answers 404 problem details for a code that does not exist, and echoes nothing of the path', async () => {
    const answer = await suite.api.request('GET', '/problems/%3Cscript%3Ealert(1)%3C%2Fscript%3E', { headers: { accept: 'text/html' } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'not_found' });
    expect(answer.text).not.toContain('<script>');
  });

  it('makes every problem type <PUBLIC_URL>/problems/<code>, a page the API serves', async () => {
    const problem = await suite.api.request<{ type: string; code: string }>('GET', '/v1/trades');
    expect(problem.status).toBe(401);
    expect(problem.body.type).toBe(`${PUBLIC_URL}/problems/${problem.body.code}`);
    const page = await suite.api.request('GET', new URL(problem.body.type).pathname, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<code>unauthenticated</code>');
    expect(page.text).toContain('Authorization: Bearer &#60;token or key&#62;');
  });

  it('docs/problems.md is the same text as the pages', () => {
    expect(readFileSync(new URL('../../../../../docs/problems.md', import.meta.url), 'utf8')).toBe(problemsMarkdown());
  });
});
