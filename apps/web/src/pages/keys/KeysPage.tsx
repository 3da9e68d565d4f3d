import type { User } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { EmailBanner } from '../../components/EmailBanner.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageNav } from '../../components/PageNav.js';
import { CanaryAlerts } from './CanaryAlerts.js';
import { KeyDialogHost } from './KeyDialogHost.js';
import { type KeyFilter, KeyListSection } from './KeyListSection.js';
import type { KeyDialog } from './key-dialog.js';
import { NotificationsSection } from './NotificationsSection.js';
import { ReviewSection } from './ReviewSection.js';
import { useKeysPageData } from './useKeysPageData.js';

/**
 * The API Key settings page: canary alerts first, then the review, the list, the notifications,
 * and the one open dialog. Each part is its own component; this page only loads and places them.
 */
export function KeysPage(props: { user: User; onSignOut: () => void }) {
  const [filter, setFilter] = useState<KeyFilter>('active');
  const [dialog, setDialog] = useState<KeyDialog | null>(null);
  const data = useKeysPageData(filter);
  const done = () => {
    setDialog(null);
    void data.reload();
  };
  return (
    <main class="container">
      <PageNav user={props.user} title="API keys" onSignOut={props.onSignOut} />
      <CanaryAlerts notifications={data.notifications} onRead={data.markRead} />
      <EmailBanner user={props.user} />
      <ErrorNote error={data.error} />
      <ReviewSection allKeys={data.allKeys} loading={data.loading} onOpen={setDialog} />
      <KeyListSection keys={data.keys} filter={filter} loading={data.loading} onFilter={setFilter} onOpen={setDialog} />
      <NotificationsSection notifications={data.notifications} onRead={data.markRead} />
      <KeyDialogHost dialog={dialog} onOpen={setDialog} onDone={done} onDismiss={() => setDialog(null)} />
    </main>
  );
}
