import { MAX_OPERATOR_LENGTH, MAX_REASON_LENGTH, SWITCH_ATTRIBUTES as A } from './schema';
import { cutText } from './stored-text';

/** A switch as stored, after tolerant parsing. */
export interface SwitchRecord {
  readonly name: string;
  /** The stored flag; see `isSuspendedAt` for whether the switch is suspended now. */
  readonly suspended: boolean;
  readonly reason?: string;
  /** ISO 8601 UTC instant the suspension ends by itself. */
  readonly until?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  /** 0 when the item has no version (written by another tool). */
  readonly version: number;
}

export type ParsedSwitchItem =
  | { readonly ok: true; readonly record: SwitchRecord; readonly warnings: readonly string[] }
  /** The item cannot say whether the switch is suspended; readers fall back to their fail mode. */
  | { readonly ok: false; readonly problem: string };

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]00:00)$/;

/** Whether the date and time fields at the start of an ISO 8601 text exist: Date.parse rolls February 30th over. */
export function isCalendarValid(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map((field) => Number(field ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

/**
 * Milliseconds since the epoch of an ISO 8601 UTC timestamp, or undefined when it is not one (a February 30th
 * included: readers and writers agree on which times exist).
 */
export function parseIsoUtc(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_UTC.test(value) || !isCalendarValid(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Reads an item as returned by the DynamoDB document client (plain JavaScript values). Items written by other
 * tools may lack optional attributes or hold the wrong types: optional ones are dropped with a warning, and
 * only an unusable `suspended` makes the item unreadable.
 */
export function parseSwitchItem(name: string, item: Record<string, unknown>): ParsedSwitchItem {
  const suspended = item[A.suspended];
  if (typeof suspended !== 'boolean') {
    return { ok: false, problem: `attribute "${A.suspended}" is ${describe(suspended)}, expected a boolean` };
  }
  const warnings: string[] = [];
  const text = (attribute: string): string | undefined => {
    const value = item[attribute];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    warnings.push(`attribute "${attribute}" is ${describe(value)}, expected a string; ignored`);
    return undefined;
  };
  let until = text(A.until);
  if (until !== undefined && parseIsoUtc(until) === undefined) {
    // A suspension whose end cannot be read stays in force: ending it early is the riskier mistake.
    warnings.push(`attribute "${A.until}" is not an ISO 8601 UTC time ("${cutText(until, 40)}"); treated as no end`);
    until = undefined;
  }
  let updatedAt = text(A.updatedAt);
  if (updatedAt !== undefined && parseIsoUtc(updatedAt) === undefined) {
    warnings.push(`attribute "${A.updatedAt}" is not an ISO 8601 UTC time ("${cutText(updatedAt, 40)}"); ignored`);
    updatedAt = undefined;
  }
  const rawVersion = item[A.version];
  let version = 0;
  if (typeof rawVersion === 'number' && Number.isSafeInteger(rawVersion) && rawVersion >= 0) version = rawVersion;
  else if (rawVersion !== undefined) warnings.push(`attribute "${A.version}" is ${describe(rawVersion)}, expected a whole number; read as 0`);

  const record: SwitchRecord = {
    name,
    suspended,
    version,
    ...optional('reason', withinWriteLimit(A.reason, text(A.reason), MAX_REASON_LENGTH, warnings)),
    ...optional('until', until),
    ...optional('updatedAt', updatedAt),
    ...optional('updatedBy', withinWriteLimit(A.updatedBy, text(A.updatedBy), MAX_OPERATOR_LENGTH, warnings)),
  };
  return { ok: true, record, warnings };
}

/** Whether `record` is suspended at `nowMs`: `until` is evaluated at read time, not at write time. */
export function isSuspendedAt(record: SwitchRecord, nowMs: number): boolean {
  if (!record.suspended) return false;
  const untilMs = parseIsoUtc(record.until);
  return untilMs === undefined || untilMs > nowMs;
}

/**
 * Text cut to what a write may record (`maxLength` characters, the last one `…`): another tool may have stored
 * hundreds of kilobytes, and `reason` goes into every 503 body and log line, both into the CLI's output.
 */
function withinWriteLimit(attribute: string, value: string | undefined, maxLength: number, warnings: string[]): string | undefined {
  if (value === undefined) return undefined;
  const cut = cutText(value, maxLength);
  if (cut !== value) warnings.push(`attribute "${attribute}" is ${[...value].length} characters long; cut to ${maxLength}`);
  return cut;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Set) return 'a set';
  return `a ${typeof value}`;
}
