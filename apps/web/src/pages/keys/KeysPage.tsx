import type { ApiKey, AuditEvent, Notification, UsageDay, User } from '@tradetally/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { summarizeAllowedIps } from '../allowed-ips.js';
import { EmailBanner } from '../components/EmailBanner.js';
import { type CreateKeyInitial, CreateKeyDialog, EditKeyDialog, RevokeDialog, RotateDialog, rotationNote } from '../components/KeyDialogs.js';
import { ErrorNote, Modal } from '../components/Modal.js';
import { SecretDialog } from '../components/SecretDialog.js';
import { UsageChart } from '../components/UsageChart.js';
import { relative, shortAgent, when, within } from '../format.js';
import { type ReviewItem, reviewKeys } from '../review.js';

type Dialog =
  // `replaces`: the key a self-rotating replacement is made for, named in the secret dialog's note.
  | { kind: 'create'; decoy?: boolean; initial?: CreateKeyInitial; replaces?: ApiKey }
  | { kind: 'edit'; key: ApiKey }
  | { kind: 'rotate'; key: ApiKey; grace?: number }
  | { kind: 'revoke'; key: ApiKey }
  | { kind: 'history'; key: ApiKey }
  // The only place a secret ever lives: this state, until the dialog is closed.
  | { kind: 'secret'; secret: string; heading: string; note?: string };

const FIX_LABEL: Record<ReviewItem['fix'], string> = {
  rotate: 'Rotate',
  revoke: 'Revoke',
  replace: 'Set up a replacement',
  self_rotate: 'Replace with a self-rotating key',
};

// A canary alert should not wait for a reload: notifications are fetched again this often while the tab is visible.
const NOTIFICATION_POLL_MS = 30_000;

/** What the review's one-click fix opens. */
function fixDialog(item: ReviewItem): Dialog {
  const key = item.key;
  switch (item.fix) {
    case 'revoke':
      return { kind: 'revoke', key };
    case 'self_rotate':
      // `selfRotate` can be chosen only when a key is made, so the fix is a copy that rotates itself.
      return {
        kind: 'create',
        replaces: key,
        initial: { name: key.name, scope: key.scope, environment: key.environment, allowedIps: key.allowedIps, selfRotate: true },
      };
    case 'replace':
      return { kind: 'rotate', key, grace: 1440 };
    case 'rotate':
      return { kind: 'rotate', key, grace: 60 };
  }
}

function StatusBadge({ apiKey }: { apiKey: ApiKey }) {
  const grace = apiKey.status === 'active' && apiKey.graceEndsAt;
  const label = grace
    ? `rotating — ends ${relative(apiKey.graceEndsAt as string)}`
    : apiKey.status === 'revoked' && apiKey.revokeReason
      ? `revoked (${apiKey.revokeReason.replace('_', ' ')})`
      : apiKey.status;
  return (
    <>
      {apiKey.canary ? (
        <span class="badge decoy" title="A decoy: any use alerts you and grants nothing">
          Decoy
        </span>
      ) : null}{' '}
      <span class={`badge ${grace ? 'rotating' : apiKey.status}`}>{label}</span>
    </>
  );
}

/** Where a key may be used from and whether it renews itself, in a line each under its access. */
function KeyRules({ apiKey }: { apiKey: ApiKey }) {
  return (
    <>
      {apiKey.allowedIps ? (
        <small class="rule" title={`Works only from ${apiKey.allowedIps.join(', ')}`} data-testid="allowed-ips">
          only from {summarizeAllowedIps(apiKey.allowedIps)}
        </small>
      ) : null}
      {apiKey.selfRotate ? (
        <small class="rule" title="Its integration renews it with POST /v1/api-keys/self/rotate" data-testid="self-rotate">
          ↻ rotates itself
        </small>
      ) : null}
    </>
  );
}

/** When a key was last used, and from which address and client (the user agent, shortened; whole on hover). */
function LastUsed({ apiKey }: { apiKey: ApiKey }) {
  if (!apiKey.lastUsedAt) return <>never</>;
  return (
    <>
      <span title={when(apiKey.lastUsedAt)}>{relative(apiKey.lastUsedAt)}</span>
      {apiKey.lastUsedIp || apiKey.lastUsedUserAgent ? (
        <small class="rule" data-testid="last-used-from">
          {apiKey.lastUsedIp ? <code>{apiKey.lastUsedIp}</code> : null}
          {apiKey.lastUsedIp && apiKey.lastUsedUserAgent ? ' · ' : null}
          {apiKey.lastUsedUserAgent ? <span title={apiKey.lastUsedUserAgent}>{shortAgent(apiKey.lastUsedUserAgent)}</span> : null}
        </small>
      ) : null}
    </>
  );
}

/** Unread canary alerts: someone has a decoy key. Shown above everything else until marked read. */
function CanaryAlerts(props: { alerts: Notification[]; onRead: (id: string) => void }) {
  return (
    <>
      {props.alerts.map((note) => (
        <div key={note.id} class="canary-banner" role="alert" data-testid="canary-banner">
          <strong>⚠ {note.title}</strong> <small>{relative(note.createdAt)}</small>
          <p>{note.body}</p>
          <button type="button" class="contrast" onClick={() => props.onRead(note.id)}>
            Mark read
          </button>
        </div>
      ))}
    </>
  );
}

/** The API Key settings page: review, list, create, rotate, revoke, notifications and history. */
export function KeysPage(props: { user: User; onSignOut: () => void }) {
  const [filter, setFilter] = useState<'active' | 'all'>('active');
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [allKeys, setAllKeys] = useState<ApiKey[]>([]);
  const [notifications, setNotifications] = useState<Notification[]>([]);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async () => {
    try {
      const [shown, all, notes] = await Promise.all([api.keys(filter), api.keys('all'), api.notifications()]);
      setKeys(shown.data);
      setAllKeys(all.data);
      setNotifications(notes.data);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filter]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      api.notifications().then(
        (notes) => setNotifications(notes.data),
        () => undefined,
      );
    }, NOTIFICATION_POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const close = () => {
    setDialog(null);
    void load();
  };
  const review = reviewKeys(allKeys);
  const unread = notifications.filter((n) => !n.readAt);
  const markRead = (id: string) => void api.markRead(id).then(load, (e: Error) => setError(e.message));

  return (
    <main class="container">
      <nav>
        <ul>
          <li>
            <strong>TradeTally</strong> · API keys
          </li>
        </ul>
        <ul>
          <li>
            <small>{props.user.email}</small>
          </li>
          <li>
            <button type="button" class="secondary outline" onClick={props.onSignOut}>
              Sign out
            </button>
          </li>
        </ul>
      </nav>
      <CanaryAlerts alerts={unread.filter((n) => n.type === 'key_canary_triggered')} onRead={markRead} />
      <EmailBanner user={props.user} />
      <ErrorNote error={error} />

      <section aria-labelledby="review-heading" class="review">
        <h2 id="review-heading">Review your keys</h2>
        {review.length === 0 ? (
          <p>{loading ? 'Loading…' : 'Nothing to review: every active key is scoped, expiring and in use.'}</p>
        ) : (
          <ul data-testid="review">
            {review.map((item) => (
              <li key={`${item.kind}-${item.key.id}`}>
                <span>
                  <strong>{item.key.name}</strong>{' '}
                  <code>
                    {item.key.prefix}…{item.key.last4}
                  </code>{' '}
                  {item.why}.
                </span>{' '}
                <button type="button" class="outline" data-fix={item.fix} onClick={() => setDialog(fixDialog(item))}>
                  {FIX_LABEL[item.fix]}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="keys-heading">
        <div class="bar">
          <h2 id="keys-heading">Your keys</h2>
          <fieldset role="group" aria-label="Show">
            <button type="button" aria-pressed={filter === 'active'} class={filter === 'active' ? '' : 'outline'} onClick={() => setFilter('active')}>
              Active
            </button>
            <button type="button" aria-pressed={filter === 'all'} class={filter === 'all' ? '' : 'outline'} onClick={() => setFilter('all')}>
              All
            </button>
          </fieldset>
          <div class="create">
            <button type="button" onClick={() => setDialog({ kind: 'create' })}>
              Create key
            </button>
            <button type="button" class="secondary outline" onClick={() => setDialog({ kind: 'create', decoy: true })}>
              Create a decoy key
            </button>
          </div>
        </div>
        <div class="overflow-auto">
          <table class="striped" data-testid="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Access</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.length === 0 ? (
                <tr>
                  <td colSpan={8}>
                    {loading ? 'Loading…' : filter === 'active' ? 'No active keys yet. Create one to connect an integration.' : 'No keys yet.'}
                  </td>
                </tr>
              ) : null}
              {keys.map((key) => (
                <tr key={key.id} data-key-id={key.id} data-status={key.status} data-canary={key.canary ? 'true' : undefined}>
                  <th scope="row">{key.name}</th>
                  <td>
                    <code>
                      {key.prefix}…{key.last4}
                    </code>
                  </td>
                  <td>
                    {key.canary ? 'decoy' : key.scope === 'read' ? 'read' : 'read & write'} · {key.environment}
                    <KeyRules apiKey={key} />
                  </td>
                  <td>
                    <StatusBadge apiKey={key} />
                  </td>
                  <td title={when(key.createdAt)}>{relative(key.createdAt)}</td>
                  <td title={key.expiresAt ? when(key.expiresAt) : undefined} class={within(key.expiresAt, 7) && key.status === 'active' ? 'warning' : ''}>
                    {key.expiresAt ? (within(key.expiresAt, 7) && key.status === 'active' ? `⚠ ${relative(key.expiresAt)}` : relative(key.expiresAt)) : 'never'}
                  </td>
                  <td>
                    <LastUsed apiKey={key} />
                  </td>
                  <td class="actions">
                    {key.status === 'active' && !key.rotatedToId && !key.canary ? (
                      <button type="button" class="outline" aria-label={`Rotate ${key.name}`} onClick={() => setDialog({ kind: 'rotate', key })}>
                        Rotate
                      </button>
                    ) : null}
                    {key.status === 'active' ? (
                      <button type="button" class="outline contrast" aria-label={`Revoke ${key.name}`} onClick={() => setDialog({ kind: 'revoke', key })}>
                        Revoke
                      </button>
                    ) : null}
                    {key.status === 'active' && !key.rotatedToId ? (
                      <button type="button" class="outline secondary" aria-label={`Edit ${key.name}`} onClick={() => setDialog({ kind: 'edit', key })}>
                        Edit
                      </button>
                    ) : null}
                    <button type="button" class="outline secondary" aria-label={`History of ${key.name}`} onClick={() => setDialog({ kind: 'history', key })}>
                      History
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="notes-heading">
        <h2 id="notes-heading">Notifications {unread.length ? <span class="badge">{unread.length} new</span> : null}</h2>
        {notifications.length === 0 ? <p>No notifications. Expiry reminders, rotation reminders and leak alerts appear here.</p> : null}
        <ul class="notes">
          {notifications.map((note) => (
            <li key={note.id} class={note.readAt ? 'read' : 'unread'}>
              <strong>{note.title}</strong> <small>{relative(note.createdAt)}</small>
              <p>{note.body}</p>
              {note.readAt ? null : (
                <button type="button" class="outline secondary" onClick={() => markRead(note.id)}>
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>

      {dialog?.kind === 'create' ? (
        <CreateKeyDialog
          decoy={dialog.decoy}
          initial={dialog.initial}
          onClose={close}
          onCreated={(result) =>
            setDialog({
              kind: 'secret',
              secret: result.secret,
              heading: `${result.apiKey.canary ? 'Decoy key' : 'Key'} “${result.apiKey.name}” created`,
              note: createdNote(result.apiKey, dialog.replaces),
            })
          }
        />
      ) : null}
      {dialog?.kind === 'edit' ? <EditKeyDialog apiKey={dialog.key} onClose={close} onSaved={close} /> : null}
      {dialog?.kind === 'rotate' ? (
        <RotateDialog
          apiKey={dialog.key}
          initialGrace={dialog.grace}
          onClose={close}
          onRotated={(result) =>
            setDialog({ kind: 'secret', secret: result.secret, heading: `Key “${result.apiKey.name}” rotated`, note: rotationNote(result) })
          }
        />
      ) : null}
      {dialog?.kind === 'revoke' ? <RevokeDialog apiKey={dialog.key} onClose={close} onRevoked={close} /> : null}
      {dialog?.kind === 'secret' ? <SecretDialog secret={dialog.secret} heading={dialog.heading} note={dialog.note} onDone={close} /> : null}
      {dialog?.kind === 'history' ? <HistoryDialog apiKey={dialog.key} onClose={() => setDialog(null)} /> : null}
    </main>
  );
}

/** The note under a new key's secret: where a decoy goes, or what to do with the key a replacement replaces. */
function createdNote(created: ApiKey, replaces: ApiKey | undefined): string | undefined {
  if (created.canary) return 'Plant it where an intruder would look. It never works; any use alerts you here and by e-mail.';
  if (replaces)
    return `Switch your integration to this key, then revoke the old one (${replaces.prefix}…${replaces.last4}).${created.selfRotate ? ' This one renews itself.' : ''}`;
  return undefined;
}

/** A key's use over the last 30 days, then its audit trail. */
function HistoryDialog(props: { apiKey: ApiKey; onClose: () => void }) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [usage, setUsage] = useState<UsageDay[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.audit(props.apiKey.id).then(
      (page) => setEvents(page.data),
      (e: Error) => setError(e.message),
    );
    api.usage(props.apiKey.id, 30).then(
      (answer) => setUsage(answer.data),
      (e: Error) => setError(e.message),
    );
  }, [props.apiKey.id]);
  return (
    <Modal labelledBy="history-heading" testId="history-dialog" onCancel={props.onClose}>
      <header>
        <h2 id="history-heading">History of “{props.apiKey.name}”</h2>
      </header>
      <ErrorNote error={error} />
      <h3>Use in the last 30 days</h3>
      {usage === null ? <p aria-busy="true">Loading…</p> : <UsageChart name={props.apiKey.name} days={usage} />}
      <h3>Events</h3>
      {events === null ? <p aria-busy="true">Loading…</p> : null}
      <ol>
        {(events ?? []).map((event) => (
          <li key={event.id}>
            <strong>{event.type.replace('key.', '').replace('_', ' ')}</strong> by {event.actor.replace('_', ' ')} · {when(event.createdAt)}
          </li>
        ))}
      </ol>
      <footer>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </footer>
    </Modal>
  );
}
