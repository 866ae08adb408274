import { isCalendarValid, quote, validateUntil } from '../functions/switch/switch-input';
import { MAX_DURATION_DAYS, parseDuration } from '../functions/switch/duration';
import { UsageError } from './errors';

export { MAX_DURATION_DAYS } from '../functions/switch/duration';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;

/**
 * `--until` as given: a duration (`90s`, `30m`, `2h`, `1d`) counts from the moment of the write, not of the parse,
 * so that a slow `--stack` lookup cannot eat into it (nor turn `--until 1s` into a time in the past); a time is
 * fixed, as the ISO 8601 UTC instant the library stores.
 */
export type UntilArgument = { readonly inMs: number } | { readonly at: string };

/** The instant `until` names at `nowMs`. */
export function untilAt(until: UntilArgument, nowMs: number): string {
  return 'at' in until ? until.at : new Date(nowMs + until.inMs).toISOString();
}

/**
 * `--until`: a time with a zone (`2030-01-31T18:00:00Z`, `2030-01-31T20:00:00+02:00`) or a duration.
 * Throws UsageError for a form it does not know, SwitchInputError for a time that is not in the future at `nowMs`
 * (the library checks again when it writes).
 */
export function parseUntilArgument(text: string, nowMs: number): UntilArgument {
  const duration = parseDuration(text);
  if (duration && 'problem' in duration) {
    const why = duration.problem === 'zero' ? 'is not in the future: give a duration above zero' : `is longer than ${MAX_DURATION_DAYS}d: give an ISO 8601 time instead`;
    throw new UsageError(`--until ${quote(text)} ${why}`, 'suspend');
  }
  if (duration) return { inMs: duration.ms };
  const iso = ISO_WITH_ZONE.exec(text);
  if (iso) {
    const [offsetHours, offsetMinutes] = [Number(iso[4] ?? 0), Number(iso[5] ?? 0)];
    const ms = Date.parse(text);
    if (!isCalendarValid(text) || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60 || !Number.isFinite(ms)) {
      throw new UsageError(`--until ${quote(text)} is not a valid date and time`, 'suspend');
    }
    return { at: validateUntil(new Date(ms), nowMs) };
  }
  if (ISO_WITHOUT_ZONE.test(text)) {
    throw new UsageError(`--until ${quote(text)} has no time zone: add Z for UTC (${text.includes('T') ? text : `${text}T00:00:00`}Z) or an offset such as +02:00`, 'suspend');
  }
  throw new UsageError(
    `--until must be an ISO 8601 time with a zone (2030-01-31T18:00:00Z) or a duration such as 30m, 2h, 1d; got ${quote(text)}`,
    'suspend',
  );
}
