import { describeError, writeLogLine, type LogWriter } from '../switch/structured-log';
import { changeSwitch, type SwitchTableClient } from '../switch/switch-operations';
import { parseAlarmEvent } from './alarm-event';
import type { TripConfig } from './trip-config';
import { decideTrip, type TripOutcome } from './trip-decision';

/** What the trip needs; `problem` when the environment could not configure it. */
export type TripSetup =
  | { readonly ok: true; readonly table: SwitchTableClient; readonly trips: readonly TripConfig[] }
  | { readonly ok: false; readonly problem: string };

export interface TripDependencies {
  readonly setup: TripSetup;
  /** @default one JSON line on stdout */
  readonly log?: LogWriter;
  /** Milliseconds since the epoch: `updatedAt` and the end of a trip's suspension. @default Date.now */
  readonly clock?: () => number;
  /**
   * Longest one invocation may spend on DynamoDB, retries and conflict re-reads included; past it the write is
   * abandoned with an error (and the invocation retried) rather than cut off by the Lambda timeout mid-way.
   * @default 20000 (the stack gives the function 30 s)
   */
  readonly deadlineMs?: number;
}

/** What the invocation did to each switch the alarm trips (the return value; EventBridge ignores it). */
export interface TripResult {
  readonly ignored?: string;
  readonly switches: ReadonlyArray<{ readonly switch: string; readonly written: boolean; readonly version?: number; readonly why?: string }>;
}

export type TripHandler = (event: unknown) => Promise<TripResult>;

/**
 * The trip: an alarm state change from EventBridge, applied to every switch a trip names that alarm for. Logs one
 * JSON line per switch. An event it does not understand is logged and ignored (a throw would make EventBridge and
 * Lambda retry an event that can never succeed); a failed write, or a missing configuration, throws, so that the
 * asynchronous invocation is retried and the failure counts in the function's Errors metric.
 */
export function createTripHandler(dependencies: TripDependencies): TripHandler {
  const { setup } = dependencies;
  const log = dependencies.log ?? writeLogLine;
  const clock = dependencies.clock ?? Date.now;
  const deadlineMs = dependencies.deadlineMs ?? 20_000;

  return async function tripHandler(event) {
    if (!setup.ok) {
      log({ level: 'error', msg: 'trip function is misconfigured', error: setup.problem });
      throw new Error(`the trip function is misconfigured: ${setup.problem}`);
    }
    const parsed = parseAlarmEvent(event);
    if (!parsed.ok) {
      log({ level: 'warn', msg: 'event ignored', problem: parsed.problem, event: summarize(event) });
      return { ignored: parsed.problem, switches: [] };
    }
    const change = parsed.change;
    const trips = setup.trips.filter((trip) => trip.alarmNames.includes(change.alarmName));
    if (trips.length === 0) {
      const problem = `no trip names alarm ${JSON.stringify(change.alarmName)}`;
      log({ level: 'warn', msg: 'event ignored', problem, alarm: change.alarmArn });
      return { ignored: problem, switches: [] };
    }
    const switches: TripResult['switches'][number][] = [];
    const abortSignal = AbortSignal.timeout(deadlineMs);
    for (const trip of trips) {
      const startedAt = performance.now();
      let outcome: TripOutcome | undefined;
      try {
        const result = await changeSwitch(
          setup.table,
          trip.switch,
          (current, nowMs) => {
            outcome = decideTrip(trip, change, current, nowMs);
            return outcome.write ? outcome.change : undefined;
          },
          { now: clock, abortSignal },
        );
        const why = outcome && !outcome.write ? outcome.why : undefined;
        switches.push({ switch: trip.switch, written: result !== undefined, ...(result ? { version: result.record.version } : {}), ...(why ? { why } : {}) });
        log({
          level: 'info',
          msg: 'trip',
          switch: trip.switch,
          alarm: change.alarmArn,
          state: change.state,
          stateAt: change.stateAt,
          eventId: change.eventId,
          written: result !== undefined,
          ...(result ? { suspended: result.record.suspended, version: result.record.version, until: result.record.until ?? null } : { why }),
          latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
        });
      } catch (error) {
        log({ level: 'error', msg: 'trip failed', switch: trip.switch, alarm: change.alarmArn, state: change.state, eventId: change.eventId, error: describeError(error) });
        throw error;
      }
    }
    return { switches };
  };
}

/** Enough of an unknown event to recognise it in the log, without copying whatever it carries. */
function summarize(event: unknown): Record<string, unknown> | string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return typeof event;
  const { source, 'detail-type': detailType, id } = event as Record<string, unknown>;
  return { source: String(source).slice(0, 100), detailType: String(detailType).slice(0, 100), id: String(id).slice(0, 100) };
}
