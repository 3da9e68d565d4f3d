import type { Notification } from '@tradetally/contracts';
import { relative } from '../../format.js';

/** Unread canary alerts: someone has a decoy key. Shown above everything else until marked read. */
export function CanaryAlerts(props: { notifications: Notification[]; onRead: (id: string) => void }) {
  const alerts = props.notifications.filter((note) => !note.readAt && note.type === 'key_canary_triggered');
  return (
    <>
      {alerts.map((note) => (
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
