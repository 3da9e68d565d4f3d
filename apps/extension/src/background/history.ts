import { DAY_MS, type Detection } from '@tradetally/contracts';

/** Detections kept at most. */
export const HISTORY_LIMIT = 200;

/** Detections older than this leave the history on the next write. */
export const HISTORY_MAX_AGE_MS = 90 * DAY_MS;

/**
 * The history (newest first) after `fresh` detections (in the order found). A full history takes nothing more, rather
 * than evicting its oldest entries: a page that floods it with generated keys (even reloading to
 * get past the per-page-load bound) must not push out the user's real, earlier detections. Only age
 * and "Clear history" remove entries; the popup says when the history is full.
 */
export function appendDetections(history: readonly Detection[], fresh: readonly Detection[], now: number): Detection[] {
  const kept = history.filter((d) => now - Date.parse(d.time) < HISTORY_MAX_AGE_MS);
  // `fresh` is in the order found: the first ones fit, the rest of a flood does not.
  const accepted = fresh.slice(0, Math.max(0, HISTORY_LIMIT - kept.length));
  return [...accepted.reverse(), ...kept];
}

/** True when the history takes no more detections. */
export const historyFull = (history: readonly Detection[]): boolean => history.length >= HISTORY_LIMIT;
