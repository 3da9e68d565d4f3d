import type { ApiKeySelf } from '@tradetally/contracts';
import type { TradeTallyClient } from './client.js';
import { TradeTallyError } from './errors.js';

/** Where the current key lives between runs, shared by every process that uses it. */
export interface KeyStore {
  /** The current key, or null/empty when the store holds none yet. */
  load(): Promise<string | null | undefined>;
  /** Keeps `key` as the current one; must not resolve before it is durable. */
  save(key: string): Promise<void>;
}

/** How `autoRotate` decides and waits. */
export interface AutoRotateOptions {
  client: TradeTallyClient;
  store: KeyStore;
  /** Rotate when `expiresAt` or `rotationDueAt` is at most this many days away. Default 14. */
  beforeDays?: number;
  /** How long the old key keeps working after a rotation. Default 60. */
  gracePeriodMinutes?: number;
  /** How long a process that lost a rotation race waits for the winner's key to reach the store. Default 30 s. */
  successorWaitMs?: number;
}

/** What one `check()` found: whether this call rotated, and the key the client uses now. */
export interface RotationCheck {
  rotated: boolean;
  key: ApiKeySelf;
}

/** A key rotation watcher; call `check()` at start and then now and then (e.g. hourly). */
export interface AutoRotator {
  /** Rotates the client's key if it allows self-rotation and is due; answers the key in use afterwards. */
  check(): Promise<RotationCheck>;
}

const DAY_MS = 86_400_000;
const POLL_MS = 100;

/** True when the key's expiry or rotation date is within `beforeDays` of now. */
export function rotationDue(key: Pick<ApiKeySelf, 'expiresAt' | 'rotationDueAt'>, beforeDays: number, now = Date.now()): boolean {
  const horizon = now + beforeDays * DAY_MS;
  return [key.expiresAt, key.rotationDueAt].some((at) => at !== null && at !== undefined && Date.parse(at) <= horizon);
}

/**
 * Keeps a self-rotating key fresh without a person: rotates when due, saves the new secret with
 * `store.save` before the client switches to it, and when several processes share one key and
 * one store, lets one rotation win while the others (409 not_rotatable) take the winner's key from
 * the store. A failed save keeps the old key in use (it still works for the grace period) and throws.
 */
export function autoRotate(options: AutoRotateOptions): AutoRotator {
  const { client, store } = options;
  const beforeDays = options.beforeDays ?? 14;
  const gracePeriodMinutes = options.gracePeriodMinutes ?? 60;
  const successorWaitMs = options.successorWaitMs ?? 30_000;

  /** Another process may have rotated already: the store's key is the one to use. */
  async function adoptStored(): Promise<void> {
    const stored = (await store.load())?.trim();
    if (stored && stored !== client.apiKey) client.setApiKey(stored);
  }

  /** After a lost race: waits until the store holds a key other than `old`, then uses it. */
  async function adoptSuccessor(old: string | null): Promise<ApiKeySelf> {
    const deadline = Date.now() + successorWaitMs;
    for (;;) {
      const stored = (await store.load())?.trim();
      if (stored && stored !== old) {
        client.setApiKey(stored);
        return client.keys.self();
      }
      if (Date.now() >= deadline)
        throw new Error('The key was rotated elsewhere, but no successor reached the store in time; the old key works until its grace end.');
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
  }

  return {
    async check(): Promise<RotationCheck> {
      await adoptStored();
      const key = await client.keys.self();
      if (!key.selfRotate) return { rotated: false, key };
      // Already rotated (by a process whose save may still be under way): follow it, never rotate twice.
      if (key.rotatedToId) return { rotated: false, key: await adoptSuccessor(client.apiKey) };
      if (!rotationDue(key, beforeDays)) return { rotated: false, key };
      const old = client.apiKey;
      let answer;
      try {
        answer = await client.keys.rotateSelf({ gracePeriodMinutes });
      } catch (error) {
        if (error instanceof TradeTallyError && error.code === 'not_rotatable') return { rotated: false, key: await adoptSuccessor(old) };
        throw error;
      }
      // Saved first: a process that dies between the two steps leaves a store that already works.
      try {
        await store.save(answer.secret);
      } catch (cause) {
        throw new Error('Rotated, but the new key could not be saved: the old key stays in use until its grace end.', { cause });
      }
      client.setApiKey(answer.secret);
      return { rotated: true, key: answer.apiKey };
    },
  };
}
