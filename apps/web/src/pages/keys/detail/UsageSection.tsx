import type { ApiKey } from '@tradetally/contracts';
import { api } from '../../../api/client.js';
import { ErrorNote } from '../../../components/ErrorNote.js';
import { UsageChart } from '../../../components/UsageChart.js';
import { useLoaded } from '../../../components/useLoaded.js';

/** How many days of use the detail view draws. */
const USAGE_DAYS = 30;

/** A key's accepted and rejected use per day, as a chart. */
export function UsageSection(props: { apiKey: ApiKey }) {
  const usage = useLoaded(() => api.usage(props.apiKey.id, USAGE_DAYS), [props.apiKey.id]);
  return (
    <>
      <h3>Use in the last {USAGE_DAYS} days</h3>
      <ErrorNote error={usage.error} />
      {usage.data === null ? <p aria-busy="true">Loading…</p> : <UsageChart name={props.apiKey.name} days={usage.data.data} />}
    </>
  );
}
