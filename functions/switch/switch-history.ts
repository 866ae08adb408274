/**
 * A switch's audit history: one entry per change, kept on the switch's own item and written by the same
 * conditional UpdateItem as the change, so an entry exists exactly when its change does.
 */
import { HISTORY_ENTRY_ATTRIBUTES as H, MAX_HISTORY_ENTRIES, MAX_OPERATOR_LENGTH, MAX_REASON_LENGTH } from './schema';
import { cutText } from './stored-text';
import { parseIsoUtc } from './switch-item';

/** One change of a switch, as recorded. */
export interface HistoryEntry {
  /** The version the change created. */
  readonly version: number;
  /** The version it replaced: `version - 1`, or 0 for the first write. */
  readonly replacedVersion: number;
  readonly suspended: boolean;
  readonly reason?: string;
  readonly until?: string;
  /** ISO 8601 UTC: when it was written. */
  readonly at: string;
  /** Who wrote it: an operator, or `alarm:<alarm ARN>` for a trip. */
  readonly by: string;
  /** ISO 8601 UTC: when the event behind an automatic change happened (an alarm's state change). */
  readonly eventAt?: string;
}

/**
 * The entries of a stored `history` attribute, oldest first. Anything that is not a well-formed entry (an item
 * written by another tool; `at` or `until` not an ISO 8601 UTC time) is dropped rather than failing the read or the
 * next write; `reason` and `by` are cut to the write limits, as the switch item's are.
 */
export function parseHistory(raw: unknown): HistoryEntry[] {
  if (!Array.isArray(raw)) return [];
  const entries: HistoryEntry[] = [];
  for (const candidate of raw) {
    const entry = parseEntry(candidate);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** `history` with `entry` added, keeping the newest MAX_HISTORY_ENTRIES. */
export function appendHistory(history: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return [...history, entry].slice(-MAX_HISTORY_ENTRIES);
}

/** The entry as stored: a map without absent fields (the document client refuses undefined values). */
export function storedEntry(entry: HistoryEntry): Record<string, string | number | boolean> {
  const stored: Record<string, string | number | boolean> = {
    [H.version]: entry.version,
    [H.replacedVersion]: entry.replacedVersion,
    [H.suspended]: entry.suspended,
    [H.at]: entry.at,
    [H.by]: entry.by,
  };
  if (entry.reason !== undefined) stored[H.reason] = entry.reason;
  if (entry.until !== undefined) stored[H.until] = entry.until;
  if (entry.eventAt !== undefined) stored[H.eventAt] = entry.eventAt;
  return stored;
}

function parseEntry(candidate: unknown): HistoryEntry | undefined {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return undefined;
  const map = candidate as Record<string, unknown>;
  const version = map[H.version];
  const replacedVersion = map[H.replacedVersion];
  const suspended = map[H.suspended];
  const at = map[H.at];
  const by = map[H.by];
  const until = map[H.until];
  if (!isVersion(version) || !isVersion(replacedVersion) || typeof suspended !== 'boolean' || parseIsoUtc(at) === undefined || typeof by !== 'string') {
    return undefined;
  }
  if (until !== undefined && parseIsoUtc(until) === undefined) return undefined;
  const reason = map[H.reason];
  const eventAt = map[H.eventAt];
  return {
    version,
    replacedVersion,
    suspended,
    ...(typeof reason === 'string' ? { reason: cutText(reason, MAX_REASON_LENGTH) } : {}),
    ...(typeof until === 'string' ? { until } : {}),
    at: at as string,
    by: cutText(by, MAX_OPERATOR_LENGTH),
    ...(parseIsoUtc(eventAt) !== undefined ? { eventAt: eventAt as string } : {}),
  };
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
