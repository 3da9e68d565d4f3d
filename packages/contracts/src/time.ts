/** One day in milliseconds: the unit of every "days" setting (REMINDER_DAYS, ROTATION_AGE_DAYS, UNUSED_DAYS). */
export const DAY_MS = 86_400_000;

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;
