import type { Notification } from '@tradetally/contracts';
import { relative } from '../../format.js';

/** The trader's notifications, newest first, unread ones counted and each marked read on its own. */
export function NotificationsSection(props: { notifications: Notification[]; onRead: (id: string) => void }) {
  const unread = props.notifications.filter((note) => !note.readAt).length;
  return (
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">Notifications {unread ? <span class="badge">{unread} new</span> : null}</h2>
      {props.notifications.length === 0 ? <p>No notifications. Expiry reminders, rotation reminders and leak alerts appear here.</p> : null}
      <ul class="notes">
        {props.notifications.map((note) => (
          <li key={note.id} class={note.readAt ? 'read' : 'unread'}>
            <strong>{note.title}</strong> <small>{relative(note.createdAt)}</small>
            <p>{note.body}</p>
            {note.readAt ? null : (
              <button type="button" class="outline secondary" onClick={() => props.onRead(note.id)}>
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
