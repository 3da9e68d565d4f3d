import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID } from '@tradetally/contracts';
import { CHROMIUM_ARGS, chromiumPath, startBuiltApi } from '@tradetally/testing';
import { type BrowserContext, type Page, type Worker, chromium } from 'playwright-core';

const here = new URL('../..', import.meta.url).pathname;
export const EXTENSION_DIST = join(here, 'dist');

/** Pages served from loopback; a test sets a path's HTML before visiting it. */
export async function startPages(): Promise<{ url: string; set(path: string, html: string): void; close(): Promise<void> }> {
  const pages = new Map<string, string>();
  const server: Server = createHttpServer((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0] ?? '/');
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, set: (path, html) => pages.set(path, html), close: () => new Promise((r) => server.close(() => r())) };
}

/** The built API on a throwaway SQLite database; fails with the API's output if it does not start. */
export async function startApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-ext-'));
  try {
    const api = await startBuiltApi({ databaseUrl: `sqlite:${join(dir, 'ext.sqlite')}`, env: { TT_KEY_PEPPER: 'extension-test-pepper-extension-test' } });
    return {
      url: api.url,
      stop: async () => {
        await api.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `*.test` names resolve to loopback: `http://plain.test:<port>` is the pages' server, seen as an
 * ordinary plain-http site (not a secure context, unlike 127.0.0.1).
 */
const HOSTS = 'MAP *.test 127.0.0.1';

/**
 * Chromium (new headless) with the built extension loaded, and its service worker. Pass the
 * `profile` of an earlier launch closed with `close({ keepProfile: true })` to restart the browser.
 */
export async function launchWithExtension(
  options: { profile?: string } = {},
): Promise<{ context: BrowserContext; worker: Worker; profile: string; close(how?: { keepProfile?: boolean }): Promise<void> }> {
  const profile = options.profile ?? mkdtempSync(join(tmpdir(), 'tt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: false, // --headless=new below: the new headless mode loads extensions
    args: [
      '--headless=new',
      `--disable-extensions-except=${EXTENSION_DIST}`,
      `--load-extension=${EXTENSION_DIST}`,
      ...CHROMIUM_ARGS,
      `--host-resolver-rules=${HOSTS}`,
    ],
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
  // Installing writes the default settings; a test's own settings must come after, or they are lost.
  // And the browser has loaded its policies once managed storage answers (the first read waits
  // about 3 s for them): a test's first page is then handled at the speed of every later one.
  await worker.evaluate(async () => {
    while (!(await chrome.storage.local.get('settings')).settings) await new Promise((resolve) => setTimeout(resolve, 20));
    await chrome.storage.managed.get(null);
  });
  return {
    context,
    worker,
    profile,
    close: async ({ keepProfile = false } = {}) => {
      await context.close();
      if (!keepProfile) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A notification the service worker showed, as it reads after its updates. */
export interface ShownNotification {
  id: string;
  title: string;
  message: string;
  contextMessage?: string;
  buttons: string[];
}

/**
 * Records every notification the service worker creates or updates from now on, by wrapping
 * chrome.notifications.create and .update in the worker (the real ones still run): tests count
 * what a page made the extension show without any hook in production code. Returns the
 * notifications created, in order, each as its updates left it.
 */
export async function observeNotifications(worker: Worker): Promise<() => Promise<ShownNotification[]>> {
  await worker.evaluate(() => {
    type Options = chrome.notifications.NotificationOptions;
    const scope = globalThis as unknown as { shown?: ShownNotification[] };
    if (scope.shown) return;
    const shown: ShownNotification[] = (scope.shown = []);
    const api = chrome.notifications as unknown as Record<'create' | 'update', (id: string, options: Options) => Promise<unknown>>;
    const create = api.create.bind(chrome.notifications);
    const update = api.update.bind(chrome.notifications);
    api.create = (id, options) => {
      shown.push({ id, title: options.title ?? '', message: options.message ?? '', buttons: (options.buttons ?? []).map((b) => b.title) });
      return create(id, options);
    };
    api.update = (id, options) => {
      const target = shown.findLast((n) => n.id === id);
      if (target) Object.assign(target, Object.fromEntries(Object.entries(options).filter(([name]) => ['title', 'message', 'contextMessage'].includes(name))));
      return update(id, options);
    };
  });
  return () => worker.evaluate(() => (globalThis as unknown as { shown: ShownNotification[] }).shown);
}

/** The id of the tab showing `page` (the extension's host permissions let it read 127.0.0.1 addresses). */
export async function tabIdOf(worker: Worker, page: Page): Promise<number> {
  const url = page.url();
  const id = await worker.evaluate(async (address) => (await chrome.tabs.query({})).find((tab) => tab.url === address)?.id, url);
  if (id === undefined) throw new Error(`no tab shows ${url}`);
  return id;
}

/** The toolbar badge of a tab. */
export const badgeOf = (worker: Worker, tabId: number) => worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);

/** The popup, opened as a page of its own for the tab `tabId` (`?tab=`), as the toolbar button opens it over that tab. */
export async function popupFor(context: BrowserContext, tabId: number): Promise<Page> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${EXTENSION_ID}/src/popup/index.html?tab=${tabId}`);
  await popup.locator('#account').waitFor();
  return popup;
}

/** Dispatches a paste of `text` on the element matched by `selector`, as a browser would; true when not cancelled. */
export function paste(page: Page | ReturnType<Page['mainFrame']>, selector: string, text: string): Promise<boolean> {
  return page.evaluate(
    ([sel, value]) => {
      const target = document.querySelector(sel as string) as HTMLElement;
      target.focus();
      const data = new DataTransfer();
      data.setData('text/plain', value as string);
      return target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [selector, text],
  );
}

/** One node of `DOM.getDocument({ pierce: true })`: closed shadow roots included, as DevTools shows them. */
interface DomNode {
  nodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

const textOf = (node: DomNode): string =>
  node.nodeType === 3
    ? node.nodeValue
    : [...(node.shadowRoots ?? []), ...(node.children ?? [])]
        .filter((n) => n.nodeName !== 'STYLE')
        .map(textOf)
        .join('');

function findNode(node: DomNode, test: (n: DomNode) => boolean): DomNode | undefined {
  if (test(node)) return node;
  for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) {
    const found = findNode(child, test);
    if (found) return found;
  }
  return undefined;
}

/**
 * The in-page warning for `label` (`prefix…last4`), read through DevTools: its shadow root is
 * closed, so neither the page nor Playwright's locators can reach it. Its buttons are clicked with
 * the real mouse (trusted input), as a person would.
 */
export async function warningFor(page: Page, label: string) {
  const cdp = await page.context().newCDPSession(page);
  const shadow = async (): Promise<DomNode | undefined> => {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const host = findNode(root, (n) => {
      const attributes = n.attributes ?? [];
      const at = attributes.indexOf('data-tradetally-alert');
      return at >= 0 && at % 2 === 0 && attributes[at + 1] === label && (n.shadowRoots?.length ?? 0) > 0;
    });
    return host?.shadowRoots?.[0];
  };
  return {
    /** The warning's text, or null while there is none. */
    text: async () => {
      const root = await shadow();
      return root ? textOf(root) : null;
    },
    /** The names of the warning's buttons. */
    buttons: async () => {
      const root = await shadow();
      const names: string[] = [];
      const walk = (node: DomNode) => {
        if (node.nodeName === 'BUTTON') names.push(textOf(node).trim());
        for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child);
      };
      if (root) walk(root);
      return names;
    },
    /** Clicks the button named `name` with the real mouse. */
    click: async (name: string) => {
      const root = await shadow();
      const button = root && findNode(root, (n) => n.nodeName === 'BUTTON' && textOf(n).trim() === name);
      if (!button) throw new Error(`no button "${name}" in the warning for ${label}`);
      const { model } = (await cdp.send('DOM.getBoxModel', { nodeId: button.nodeId })) as { model: { content: number[] } };
      const [x1 = 0, y1 = 0, , , x3 = 0, y3 = 0] = model.content;
      await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
    },
    detach: () => cdp.detach(),
  };
}

/**
 * Evaluates `expression` in the content script's isolated world of the page's main frame, through
 * DevTools (Playwright has no API for it): what a content script can and cannot do, tested as one.
 */
export async function inContentScript<T>(page: Page, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const contexts: Array<{ id: number; name: string; auxData?: { frameId?: string; isDefault?: boolean; type?: string } }> = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    await cdp.send('Runtime.enable');
    const world = contexts.find((c) => c.auxData?.frameId === frameTree.frame.id && c.auxData?.type === 'isolated' && c.name === 'TradeTally Keys');
    if (!world) throw new Error(`no content script world among ${JSON.stringify(contexts.map((c) => c.name))}`);
    const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true })) as {
      result: { value: T };
      exceptionDetails?: { exception?: { description?: string } };
    };
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? 'evaluation failed');
    return result.value;
  } finally {
    await cdp.detach();
  }
}
