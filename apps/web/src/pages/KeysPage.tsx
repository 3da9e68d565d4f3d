import type { ApiKey, AuditEvent, Notification, User } from '@tradetally/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EmailBanner } from '../components/EmailBanner.js';
import { CreateKeyDialog, RevokeDialog, RotateDialog, rotationNote } from '../components/KeyDialogs.js';
import { ErrorNote, Modal } from '../components/Modal.js';
import { SecretDialog } from '../components/SecretDialog.js';
import { relative, when, within } from '../format.js';
import { type ReviewItem, reviewKeys } from '../review.js';

type Dialog =
  | { kind: 'create' }
  | { kind: 'rotate'; key: ApiKey; grace?: number }
  | { kind: 'revoke'; key: ApiKey }
  | { kind: 'history'; key: ApiKey }
  // The only place a secret ever lives: this state, until the dialog is closed.
  | { kind: 'secret'; secret: string; heading: string; note?: string };

const FIX_LABEL: Record<ReviewItem['fix'], string> = { rotate: 'Rotate', revoke: 'Revoke', replace: 'Set up a replacement' };

function StatusBadge({ apiKey }: { apiKey: ApiKey }) {
  const grace = apiKey.status === 'active' && apiKey.graceEndsAt;
  const label = grace ? `rotating — ends ${relative(apiKey.graceEndsAt as string)}` : apiKey.status === 'revoked' && apiKey.revokeReason ? `revoked (${apiKey.revokeReason.replace('_', ' ')})` : apiKey.status;
  return <span class={`badge ${grace ? 'rotating' : apiKey.status}`}>{label}</span>;
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

  const close = () => {
    setDialog(null);
    void load();
  };
  const review = reviewKeys(allKeys);
  const unread = notifications.filter((n) => !n.readAt);

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
                  <strong>{item.key.name}</strong> <code>{item.key.prefix}…{item.key.last4}</code> {item.why}.
                </span>{' '}
                <button
                  type="button"
                  class="outline"
                  onClick={() => setDialog(item.fix === 'revoke' ? { kind: 'revoke', key: item.key } : { kind: 'rotate', key: item.key, grace: item.fix === 'replace' ? 1440 : 60 })}
                >
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
          <button type="button" onClick={() => setDialog({ kind: 'create' })}>
            Create key
          </button>
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
                  <td colSpan={8}>{loading ? 'Loading…' : filter === 'active' ? 'No active keys yet. Create one to connect an integration.' : 'No keys yet.'}</td>
                </tr>
              ) : null}
              {keys.map((key) => (
                <tr key={key.id} data-key-id={key.id} data-status={key.status}>
                  <th scope="row">{key.name}</th>
                  <td>
                    <code>
                      {key.prefix}…{key.last4}
                    </code>
                  </td>
                  <td>
                    {key.scope === 'read' ? 'read' : 'read & write'} · {key.environment}
                  </td>
                  <td>
                    <StatusBadge apiKey={key} />
                  </td>
                  <td title={when(key.createdAt)}>{relative(key.createdAt)}</td>
                  <td title={key.expiresAt ? when(key.expiresAt) : undefined} class={within(key.expiresAt, 7) && key.status === 'active' ? 'warning' : ''}>
                    {key.expiresAt ? (within(key.expiresAt, 7) && key.status === 'active' ? `⚠ ${relative(key.expiresAt)}` : relative(key.expiresAt)) : 'never'}
                  </td>
                  <td>{key.lastUsedAt ? relative(key.lastUsedAt) : 'never'}</td>
                  <td class="actions">
                    {key.status === 'active' && !key.rotatedToId ? (
                      <button type="button" class="outline" aria-label={`Rotate ${key.name}`} onClick={() => setDialog({ kind: 'rotate', key })}>
                        Rotate
                      </button>
                    ) : null}
                    {key.status === 'active' ? (
                      <button type="button" class="outline contrast" aria-label={`Revoke ${key.name}`} onClick={() => setDialog({ kind: 'revoke', key })}>
                        Revoke
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
        <h2 id="notes-heading">
          Notifications {unread.length ? <span class="badge">{unread.length} new</span> : null}
        </h2>
        {notifications.length === 0 ? <p>No notifications. Expiry reminders, rotation reminders and leak alerts appear here.</p> : null}
        <ul class="notes">
          {notifications.map((note) => (
            <li key={note.id} class={note.readAt ? 'read' : 'unread'}>
              <strong>{note.title}</strong> <small>{relative(note.createdAt)}</small>
              <p>{note.body}</p>
              {note.readAt ? null : (
                <button type="button" class="outline secondary" onClick={() => void api.markRead(note.id).then(load)}>
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>

      {dialog?.kind === 'create' ? (
        <CreateKeyDialog onClose={close} onCreated={(result) => setDialog({ kind: 'secret', secret: result.secret, heading: `Key “${result.apiKey.name}” created` })} />
      ) : null}
      {dialog?.kind === 'rotate' ? (
        <RotateDialog
          apiKey={dialog.key}
          initialGrace={dialog.grace}
          onClose={close}
          onRotated={(result) => setDialog({ kind: 'secret', secret: result.secret, heading: `Key “${result.apiKey.name}” rotated`, note: rotationNote(result) })}
        />
      ) : null}
      {dialog?.kind === 'revoke' ? <RevokeDialog apiKey={dialog.key} onClose={close} onRevoked={close} /> : null}
      {dialog?.kind === 'secret' ? <SecretDialog secret={dialog.secret} heading={dialog.heading} note={dialog.note} onDone={close} /> : null}
      {dialog?.kind === 'history' ? <HistoryDialog apiKey={dialog.key} onClose={() => setDialog(null)} /> : null}
    </main>
  );
}

/** A key's audit trail. */
function HistoryDialog(props: { apiKey: ApiKey; onClose: () => void }) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.audit(props.apiKey.id).then((page) => setEvents(page.data), (e: Error) => setError(e.message));
  }, [props.apiKey.id]);
  return (
    <Modal labelledBy="history-heading" testId="history-dialog" onCancel={props.onClose}>
      <header>
        <h2 id="history-heading">History of “{props.apiKey.name}”</h2>
      </header>
      <ErrorNote error={error} />
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
