import { useState } from 'preact/hooks';

/** A form action's state: busy while it runs, its error message (the API's problem detail) after. */
export function useAction(): { busy: boolean; error: string | null; run: (work: () => Promise<void>) => (event?: Event) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (work: () => Promise<void>) => (event?: Event) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    work()
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}
