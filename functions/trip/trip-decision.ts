/**
 * What an alarm state change does to a switch, decided from the switch as it is now. Pure: changeSwitch calls it
 * on each fresh read, so a concurrent operator's write is always seen before the trip writes.
 */
import { MAX_REASON_LENGTH } from '../switch/schema';
import { cutText, loneSurrogates, unsafeCharacters } from '../switch/stored-text';
import type { CurrentSwitch, HistoryEntry, SwitchChange } from '../switch/switch-operations';
import { isSuspendedAt, parseIsoUtc } from '../switch/switch-item';
import type { AlarmStateChange } from './alarm-event';
import { tripDurationMs, type TripConfig } from './trip-config';

export type TripOutcome =
  | { readonly write: true; readonly change: SwitchChange }
  | { readonly write: false; readonly why: string };

/** `by` of a trip's writes: the alarm, by ARN. */
export function alarmWriter(alarmArn: string): string {
  return `alarm:${alarmArn}`;
}

/**
 * - A state change no later than the last one this alarm already applied to the switch (a redelivery, or an event
 *   that arrived late) writes nothing: EventBridge delivers at least once, and not necessarily in order. Only
 *   applied (written) state changes are known: a late ALARM older than an OK that wrote nothing still suspends
 *   (fails safe).
 * - ALARM suspends, unless the switch is suspended now by this alarm already, or by anyone else for at least as
 *   long as the trip would (no `until`, or a later one): an operator's longer suspension is never shortened.
 * - OK resumes only with `resumeOnOk`, and only a suspension this alarm made from an active switch (or over a
 *   suspension that has since ended by its own `until`) that is still the switch's state: never one it extended.
 * - INSUFFICIENT_DATA changes nothing.
 */
export function decideTrip(trip: TripConfig, event: AlarmStateChange, current: CurrentSwitch, nowMs: number): TripOutcome {
  const by = alarmWriter(event.alarmArn);
  const eventMs = Date.parse(event.stateAt);
  const applied = current.history.filter((entry) => entry.by === by).map((entry) => parseIsoUtc(entry.eventAt) ?? -Infinity);
  if (applied.some((appliedMs) => appliedMs >= eventMs)) {
    return { write: false, why: 'this alarm already applied this state change or a later one to the switch' };
  }
  const record = current.stored.kind === 'record' ? current.stored.record : undefined;
  const reason = tripReason(event);

  if (event.state === 'ALARM') {
    const durationMs = tripDurationMs(trip);
    const endMs = durationMs === undefined ? Infinity : nowMs + durationMs;
    if (record && isSuspendedAt(record, nowMs)) {
      if (record.updatedBy === by) return { write: false, why: 'already suspended by this alarm' };
      const theirEndMs = parseIsoUtc(record.until) ?? Infinity;
      if (theirEndMs >= endMs) {
        return { write: false, why: `already suspended by ${record.updatedBy ?? 'another writer'} ${record.until ? `until ${record.until}` : 'with no end'}, at least as long as this trip would` };
      }
    }
    const until = Number.isFinite(endMs) ? { until: new Date(endMs).toISOString() } : {};
    return { write: true, change: { suspended: true, reason, ...until, by, eventAt: event.stateAt } };
  }
  if (event.state === 'OK') {
    if (!trip.resumeOnOk) return { write: false, why: 'resumeOnOk is not set for this trip' };
    if (!record?.suspended || record.updatedBy !== by) return { write: false, why: 'the switch is not suspended by this alarm' };
    const overrode = suspensionItOverrode(current.history, record.version, by, nowMs);
    if (overrode) return { write: false, why: overrode };
    return { write: true, change: { suspended: false, reason, by, eventAt: event.stateAt } };
  }
  return { write: false, why: `state ${event.state} changes nothing` };
}

/**
 * Why resuming the switch's current version would lift a suspension that is not only this alarm's, or undefined
 * when it would not. Walks the history back from the current version through this alarm's own suspensions to the
 * version they replaced: resuming is safe only when that was active (or no item), or a suspension that has ended
 * by its own `until`. An alarm that extended an operator's (or another alarm's) shorter suspension therefore never
 * resumes it: the switch stays suspended until an operator resumes it (fails safe). A version missing from the
 * history (trimmed to the last entries, or dropped as malformed) also counts as not ours.
 */
function suspensionItOverrode(history: readonly HistoryEntry[], version: number, by: string, nowMs: number): string | undefined {
  const byVersion = new Map(history.map((entry) => [entry.version, entry]));
  let entry = byVersion.get(version);
  if (!entry || entry.by !== by) return `the history does not show this alarm made version ${version}`;
  while (entry.suspended && entry.by === by) {
    if (entry.replacedVersion === 0) return undefined;
    // Versions only go up; an entry claiming otherwise (another tool's) must not send the walk round in a loop.
    const replaced: HistoryEntry | undefined = entry.replacedVersion < entry.version ? byVersion.get(entry.replacedVersion) : undefined;
    if (!replaced) return `the history no longer shows version ${entry.replacedVersion}, which this alarm's suspension replaced`;
    entry = replaced;
  }
  if (!entry.suspended) return undefined;
  const endMs = parseIsoUtc(entry.until);
  if (endMs !== undefined && endMs <= nowMs) return undefined;
  return `this alarm's suspension replaced one by ${entry.by} (version ${entry.version}) ${entry.until ? `until ${entry.until}` : 'with no end'}, still in force`;
}

/**
 * `alarm <name>: <state reason>`, on one line of printable text and cut to the reason limit: CloudWatch's text is
 * not ours to trust, and the switch library refuses what an operator's terminal could not show.
 */
export function tripReason(event: Pick<AlarmStateChange, 'alarmName' | 'reason' | 'state'>): string {
  const text = `alarm ${event.alarmName}: ${event.reason || `entered ${event.state}`}`
    .replace(unsafeCharacters('g', true), ' ')
    .replace(loneSurrogates('g'), '\ufffd')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cutText(text, MAX_REASON_LENGTH);
}
