import type { ApiKey, Notification } from '@tradetally/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import type { KeyFilter } from './KeyListSection.js';

// A canary alert should not wait for a reload: notifications are fetched again this often while the tab is visible.
const NOTIFICATION_POLL_MS = 30_000;

/** What the keys page shows, loaded together: the keys of the filter, all keys (for the review), notifications. */
export interface KeysPageData {
  keys: ApiKey[];
  allKeys: ApiKey[];
  notifications: Notification[];
  loading: boolean;
  error: string | null;
  /** Loads everything again, after a dialog may have changed something. */
  reload: () => Promise<void>;
  markRead: (id: string) => void;
}

/** Loads the page's data for `filter`, and polls notifications while the tab is visible. */
export function useKeysPageData(filter: KeyFilter): KeysPageData {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [allKeys, setAllKeys] = useState<ApiKey[]>([]);
  const [notifications, setNotifications] = useState<Notification[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
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
    void reload();
  }, [reload]);

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

  const markRead = (id: string) => void api.markRead(id).then(reload, (e: Error) => setError(e.message));
  return { keys, allKeys, notifications, loading, error, reload, markRead };
}
