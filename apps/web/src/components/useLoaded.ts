import { useEffect, useState } from 'preact/hooks';

/** What a section loads when it mounts and whenever `deps` change (as with useEffect): null until it answers, or the error's message. */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    load().then(setData, (e: Error) => setError(e.message));
  }, deps);
  return { data, error };
}
