import type { PopupState } from '@tradetally/contracts';
import { type Child, h, keyLabel } from '../shared/dom.js';
import { t, tNodes } from '../shared/i18n.js';
import { send } from '../shared/messages.js';
import { describeOwnKey } from '../shared/own-key.js';

// The popup: the keys found on the page it opened over (with "Ignore on this site": extension-owned
// UI, which no page can cover), recent detections, the signed-in user's keys that expire soon.
// Each part is one section below, a function of the state: a new part is a new section.

const app = document.getElementById('app') as HTMLElement;
document.title = t('popupTitle');

/** The tab the popup speaks for: `?tab=<id>` when opened for one (tests, a pop-out), else the active tab. */
async function tabId(): Promise<number | undefined> {
  const named = Number(new URLSearchParams(location.search).get('tab') ?? Number.NaN);
  if (Number.isInteger(named) && named >= 0) return named;
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  return tab?.id;
}

const openOptions = (event: Event) => {
  event.preventDefault();
  void chrome.runtime.openOptionsPage();
};

const list = (items: Child[], empty: string) => h('ul', {}, ...(items.length ? items.map((item) => h('li', {}, item)) : [h('li', { class: 'muted' }, empty)]));

type Section = (state: PopupState, refresh: () => void) => Child;

const account: Section = (state) =>
  h(
    'p',
    { id: 'account' },
    ...(state.signedInAs
      ? tNodes('popupSignedInAs', h('strong', {}, state.signedInAs))
      : [h('strong', {}, t('popupSignedOut')), ' ', t('popupSignedOutNote'), ' ', h('a', { href: '#', id: 'signin', onclick: openOptions }, t('popupSignIn'))]),
  );

/** This page's keys, whose they are, and the ignore control for each site they were found on. */
const thisPage: Section = (state, refresh) => {
  if (!state.tab) return null;
  const { keys, more, sites } = state.tab;
  return h(
    'section',
    { id: 'this-page' },
    h('h2', {}, t('popupThisPage')),
    list(
      keys.map((key) =>
        h(
          'span',
          {},
          keyLabel(key),
          ` ${t(`env_${key.env}`)} · ${key.site}`,
          key.owner && h('br'),
          key.owner && h('small', { class: 'owner' }, describeOwnKey(key.owner)),
        ),
      ),
      t('popupThisPageNone'),
    ),
    more > 0 && h('p', { class: 'muted' }, t('popupThisPageMore', more)),
    state.allowIgnore &&
      h(
        'div',
        { id: 'ignore' },
        ...sites.map(({ site, ignored }) =>
          ignored
            ? h('p', { class: 'muted' }, t('popupIgnored', site))
            : h(
                'button',
                {
                  class: 'plain',
                  'data-site': site,
                  onclick: () => void send({ type: 'ignore-site', site }).then(refresh),
                },
                t('popupIgnoreSite', site),
              ),
        ),
      ),
  );
};

const detections: Section = (state) =>
  h(
    'section',
    {},
    h('h2', {}, t('popupRecent')),
    h(
      'ul',
      { id: 'detections' },
      ...(state.detections.length ? [] : [h('li', { class: 'muted' }, t('popupRecentNone'))]),
      ...state.detections.map((d) =>
        h(
          'li',
          {},
          keyLabel(d),
          ` ${t(`env_${d.env}`)} · ${d.site}`,
          h('br'),
          h('small', {}, `${new Date(d.time).toLocaleString()} · ${t(`source_${d.source}`)} · ${t(`action_${d.action}`)}`),
        ),
      ),
    ),
    state.historyFull && h('p', { class: 'muted', id: 'history-full' }, t('popupHistoryFull')),
  );

const expiring: Section = (state) =>
  h(
    'section',
    {},
    h('h2', {}, t('popupExpiring')),
    h(
      'ul',
      { id: 'expiring' },
      ...(!state.signedInAs
        ? [h('li', { class: 'muted' }, t('popupExpiringSignIn'))]
        : state.expiringSoon.length === 0
          ? [h('li', { class: 'muted' }, t('popupExpiringNone', state.signedInAs))]
          : state.expiringSoon.map((k) =>
              h('li', {}, `${k.name} `, keyLabel(k), h('br'), h('small', {}, t('popupExpires', new Date(k.expiresAt ?? '').toLocaleString()))),
            )),
    ),
  );

const links: Section = (state) =>
  h(
    'p',
    {},
    h('a', { id: 'settings', href: state.settingsUrl, target: '_blank', rel: 'noopener' }, t('popupOpenSettings')),
    ' · ',
    h('a', { href: '#', id: 'options', onclick: openOptions }, t('popupOptions')),
  );

/** The popup, top to bottom. */
const SECTIONS: Section[] = [account, thisPage, detections, expiring, links];

async function render(): Promise<void> {
  const state = await send({ type: 'get-popup-state', tabId: await tabId() });
  app.replaceChildren(h('h1', {}, t('extName')), ...SECTIONS.map((section) => section(state, () => void render())).filter((n): n is Node | string => !!n));
}

render().catch(() => (app.textContent = t('popupLoadFailed')));
