/** Durations as operators and configs write them: `90s`, `30m`, `2h`, `1d`. */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Longest duration form; a later end is given as a time. */
export const MAX_DURATION_DAYS = 365;

const DURATION = /^(\d{1,9})([smhd])$/;

/**
 * Milliseconds of a duration text; undefined when `text` is not in the duration form at all (it may be a time);
 * a problem when it is, but zero or longer than MAX_DURATION_DAYS.
 */
export function parseDuration(text: string): { readonly ms: number } | { readonly problem: 'zero' | 'too long' } | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const ms = amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (amount === 0) return { problem: 'zero' };
  if (ms > MAX_DURATION_DAYS * UNIT_MS.d) return { problem: 'too long' };
  return { ms };
}
