import { type PopupState, type SettingsView, effectiveSettings } from '@tradetally/contracts';
import { type Child, h } from '../shared/dom.js';
import { t, tNodes } from '../shared/i18n.js';
import { send } from '../shared/messages.js';

// Options: the API address, sign in / out, paste blocking, automatic revocation, ignored sites,
// history. A value the organisation set (managed storage) is shown as such and cannot be changed
// here. Each part is one section below: a new part is a new section.

const app = document.getElementById('app') as HTMLElement;
document.title = t('optionsTitle');

interface View extends SettingsView {
  signedInAs: string | null;
}

type Section = (view: View, render: (note?: string) => void) => Child;

/** The mark next to a value the organisation set. */
const managedMark = () => h('span', { class: 'managed' }, t('optionsManaged'));

const apiAddress: Section = (view, render) => {
  const managed = view.managed.apiUrl;
  return h(
    'form',
    {
      id: 'api',
      onsubmit: (event) => {
        event.preventDefault();
        const apiUrl = (app.querySelector('#apiUrl') as HTMLInputElement).value;
        void send({ type: 'update-settings', settings: { apiUrl } })
          .then(() => send({ type: 'get-popup-state' }).catch(() => null))
          .then((after) => render(view.signedInAs && !after?.signedInAs ? t('optionsSavedSignedOut') : t('optionsSaved')));
      },
    },
    h('label', { for: 'apiUrl' }, t('optionsApiAddress'), managed && ' ', managed && managedMark()),
    h('input', { id: 'apiUrl', type: 'url', required: true, value: managed ?? view.settings.apiUrl, disabled: !!managed }),
    !managed && h('button', {}, t('optionsSaveAddress')),
  );
};

const accountPart: Section = (view, render) =>
  view.signedInAs
    ? h(
        'p',
        {},
        ...tNodes('optionsSignedInAs', h('strong', {}, view.signedInAs)),
        ' ',
        h(
          'button',
          { id: 'signout', class: 'plain', onclick: () => void send({ type: 'sign-out' }).then(() => render(t('optionsSignedOutNote'))) },
          t('optionsSignOut'),
        ),
      )
    : h(
        'div',
        {},
        h('p', { id: 'signed-out' }, t('optionsSignedOutExplained')),
        h(
          'form',
          {
            id: 'signin',
            onsubmit: (event) => {
              event.preventDefault();
              const email = (app.querySelector('#email') as HTMLInputElement).value;
              const password = (app.querySelector('#password') as HTMLInputElement).value;
              void send({ type: 'sign-in', email, password }).then((r) =>
                render(r.ok ? t('optionsSignedInNote', r.email ?? email) : (r.error ?? t('errorSignIn', '?'))),
              );
            },
          },
          h('label', { for: 'email' }, t('optionsEmail')),
          h('input', { id: 'email', type: 'email', required: true, autocomplete: 'username' }),
          h('label', { for: 'password' }, t('optionsPassword')),
          h('input', { id: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
          h('button', {}, t('optionsSignIn')),
        ),
      );

/** A checkbox bound to one setting; disabled, with the organisation's value, when it set one. */
const check = (id: string, checked: boolean, managed: boolean, label: string, note: string, change: (checked: boolean) => void) =>
  h(
    'label',
    { class: 'check' },
    h('input', { type: 'checkbox', id, checked, disabled: managed, onchange: (e) => change((e.target as HTMLInputElement).checked) }),
    h('span', {}, label, ' ', h('small', {}, note), managed && ' ', managed && managedMark()),
  );

const protection: Section = (view) => {
  const effective = effectiveSettings(view.settings, view.managed);
  const everywhere = effective.blockLivePastesOn.includes('*');
  const patterns = effective.blockLivePastesOn.filter((p) => p !== '*');
  return h(
    'section',
    {},
    h('h2', {}, t('optionsProtection')),
    check(
      'block',
      everywhere || effective.blockLivePastes,
      everywhere,
      t('optionsBlockPastes'),
      t('optionsBlockPastesNote'),
      (checked) => void send({ type: 'update-settings', settings: { blockLivePastes: checked } }),
    ),
    patterns.length > 0 && h('p', { id: 'blocked-on', class: 'muted' }, t('optionsBlockedOn', patterns.join(', ')), ' ', managedMark()),
    check(
      'auto',
      effective.autoRevokePageKeys,
      view.managed.autoRevoke !== undefined,
      t('optionsAutoRevoke'),
      t('optionsAutoRevokeNote'),
      (checked) => void send({ type: 'update-settings', settings: { autoRevokePageKeys: checked } }),
    ),
  );
};

const ignoredSites: Section = (view, render) => {
  if (view.managed.allowIgnore === false)
    return h('section', {}, h('h2', {}, t('optionsIgnored')), h('p', { id: 'ignore-off', class: 'muted' }, t('optionsIgnoreOff'), ' ', managedMark()));
  const sites = view.settings.ignoredSites;
  const update = (ignored: string[]) => void send({ type: 'update-settings', settings: { ignoredSites: ignored } }).then(() => render(t('optionsUpdated')));
  return h(
    'section',
    {},
    h('h2', {}, t('optionsIgnored')),
    h(
      'ul',
      { id: 'ignored' },
      ...(sites.length
        ? sites.map((site) =>
            h(
              'li',
              {},
              `${site} `,
              h('button', { class: 'plain', 'data-site': site, onclick: () => update(sites.filter((s) => s !== site)) }, t('optionsStopIgnoring')),
            ),
          )
        : [h('li', { class: 'muted' }, t('optionsIgnoredNone'))]),
    ),
    h(
      'form',
      {
        id: 'ignore-form',
        onsubmit: (event) => {
          event.preventDefault();
          const site = (app.querySelector('#ignore-site') as HTMLInputElement).value.trim().toLowerCase();
          if (site) void send({ type: 'ignore-site', site }).then((r) => render(r.ok ? t('optionsUpdated') : (r.error ?? '')));
        },
      },
      h('label', { for: 'ignore-site' }, t('optionsIgnoreSite')),
      h('input', { id: 'ignore-site', type: 'text', placeholder: 'chat.example.com', required: true }),
      h('button', { class: 'plain' }, t('optionsIgnoreAdd')),
    ),
  );
};

const history: Section = (_view, render) =>
  h(
    'section',
    {},
    h('h2', {}, t('optionsHistory')),
    h('p', { class: 'muted' }, t('optionsHistoryNote')),
    h(
      'button',
      { id: 'clear', class: 'plain', onclick: () => void send({ type: 'clear-history' }).then(() => render(t('optionsHistoryCleared'))) },
      t('optionsClearHistory'),
    ),
  );

/** The options page, top to bottom. */
const SECTIONS: Section[] = [apiAddress, accountPart, protection, ignoredSites, history];

async function render(note = ''): Promise<void> {
  const [settings, state] = await Promise.all([send({ type: 'get-settings' }), send({ type: 'get-popup-state' }).catch((): PopupState | null => null)]);
  const view: View = { ...settings, signedInAs: state?.signedInAs ?? null };
  const again = (next?: string) => void render(next);
  app.replaceChildren(
    h('h1', {}, t('optionsHeading')),
    h('p', { class: 'muted', id: 'note' }, note),
    h('h2', {}, t('optionsTradeTally')),
    ...SECTIONS.map((section) => section(view, again)).filter((n): n is Node | string => !!n),
  );
}

void render();
