import { isCalendarValid, quote, validateUntil } from '../functions/switch/switch-input';
import { UsageError } from './errors';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Longest duration form; a later end is given as a time. */
export const MAX_DURATION_DAYS = 365;

const DURATION = /^(\d{1,9})([smhd])$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;

/**
 * `--until` as the ISO 8601 UTC instant the library stores: a time with a zone (`2030-01-31T18:00:00Z`,
 * `2030-01-31T20:00:00+02:00`) or a duration from `nowMs` (`90s`, `30m`, `2h`, `1d`).
 * Throws UsageError for a form it does not know, SwitchInputError for a time that is not in the future.
 */
export function parseUntilArgument(text: string, nowMs: number): string {
  const duration = DURATION.exec(text);
  if (duration) {
    const amount = Number(duration[1]);
    const ms = amount * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (amount === 0) throw new UsageError(`--until ${quote(text)} is not in the future: give a duration above zero`, 'suspend');
    if (ms > MAX_DURATION_DAYS * UNIT_MS.d) {
      throw new UsageError(`--until ${quote(text)} is longer than ${MAX_DURATION_DAYS}d: give an ISO 8601 time instead`, 'suspend');
    }
    return new Date(nowMs + ms).toISOString();
  }
  const iso = ISO_WITH_ZONE.exec(text);
  if (iso) {
    const [offsetHours, offsetMinutes] = [Number(iso[4] ?? 0), Number(iso[5] ?? 0)];
    const ms = Date.parse(text);
    if (!isCalendarValid(text) || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60 || !Number.isFinite(ms)) {
      throw new UsageError(`--until ${quote(text)} is not a valid date and time`, 'suspend');
    }
    return validateUntil(new Date(ms), nowMs);
  }
  if (ISO_WITHOUT_ZONE.test(text)) {
    throw new UsageError(`--until ${quote(text)} has no time zone: add Z for UTC (${text.includes('T') ? text : `${text}T00:00:00`}Z) or an offset such as +02:00`, 'suspend');
  }
  throw new UsageError(
    `--until must be an ISO 8601 time with a zone (2030-01-31T18:00:00Z) or a duration such as 30m, 2h, 1d; got ${quote(text)}`,
    'suspend',
  );
}
