import type { ApiKey } from '@tradetally/contracts';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { useLoaded } from '../../../components/useLoaded.js';
import { when } from '../../../format.js';

/** A key's audit trail: what happened to it, by whom, when. */
export function EventsSection(props: { apiKey: ApiKey }) {
  const events = useLoaded(() => api.audit(props.apiKey.id), [props.apiKey.id]);
  return (
    <>
      <h3>Events</h3>
      <ErrorNote error={events.error} />
      {events.data === null ? <p aria-busy="true">Loading…</p> : null}
      <ol>
        {(events.data?.data ?? []).map((event) => (
          <li key={event.id}>
            <strong>{event.type.replace('key.', '').replace('_', ' ')}</strong> by {event.actor.replace('_', ' ')} · {when(event.createdAt)}
          </li>
        ))}
      </ol>
    </>
  );
}
