/**
 * Trips: which CloudWatch alarms suspend which switch. The stack validates an environment's `trips` with
 * tripProblem and writes them into the trip function's environment; the function reads them back with
 * tripsFromEnvironment under the same rules, so neither accepts what the other refuses.
 *
 * Dependency-free (bundled into the trip function and loaded by cdktf at synth).
 */
import { parseDuration } from '../switch/duration';
import { isValidSwitchName, SWITCH_NAME_PATTERN } from '../switch/schema';
import { loneSurrogates, unsafeCharacters } from '../switch/stored-text';

/** One trip: the alarms that suspend a switch, and how. */
export interface TripConfig {
  /** The switch the alarms suspend. */
  readonly switch: string;
  /**
   * Names of CloudWatch alarms in the stack's account and region (metric or composite alarms); any of them
   * entering ALARM suspends the switch.
   */
  readonly alarmNames: readonly string[];
  /** How long a trip's suspension lasts, as a duration (`30m`, `2h`, `1d`). @default no end: until resumed */
  readonly until?: string;
  /** When the alarm returns to OK, resume the switch if the suspension in force is still this alarm's. @default false */
  readonly resumeOnOk?: boolean;
}

/** The trip function's environment variable holding the trips, as JSON. */
export const TRIPS_VARIABLE = 'SUSPENSE_TRIPS';

/** CloudWatch's rule for alarm names: 1-255 characters, no control characters (ours is stricter, see tripProblem). */
const MAX_ALARM_NAME_LENGTH = 255;

/** What is wrong with `trip`, or undefined when it is usable. */
export function tripProblem(trip: unknown): string | undefined {
  if (typeof trip !== 'object' || trip === null || Array.isArray(trip)) return 'must be an object';
  const { switch: name, alarmNames, until, resumeOnOk, ...rest } = trip as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `has unknown field(s) ${unknown.join(', ')}`;
  if (!isValidSwitchName(name)) return `switch must match ${SWITCH_NAME_PATTERN}`;
  if (!Array.isArray(alarmNames) || alarmNames.length === 0) return 'alarmNames must list at least one alarm name';
  for (const alarm of alarmNames) {
    // The switch library refuses `by` (alarm:<alarm ARN>) with unsafe characters, so such a trip could never write.
    if (typeof alarm !== 'string' || alarm.length === 0 || [...alarm].length > MAX_ALARM_NAME_LENGTH || unsafeCharacters().test(alarm) || loneSurrogates().test(alarm)) {
      return `alarmNames must be CloudWatch alarm names (1-${MAX_ALARM_NAME_LENGTH} characters, no control, bidirectional or line-separator characters, no lone surrogates), got ${JSON.stringify(alarm)}`;
    }
  }
  if (new Set(alarmNames).size !== alarmNames.length) return 'alarmNames must not repeat a name';
  if (until !== undefined) {
    const duration = typeof until === 'string' ? parseDuration(until) : undefined;
    if (duration === undefined || 'problem' in duration) return `until must be a duration from 1s to 365d such as 30m, 2h or 1d, got ${JSON.stringify(until)}`;
  }
  if (resumeOnOk !== undefined && typeof resumeOnOk !== 'boolean') return 'resumeOnOk must be true or false';
  return undefined;
}

/** `until` in milliseconds, or undefined for a suspension without an end. */
export function tripDurationMs(trip: TripConfig): number | undefined {
  if (trip.until === undefined) return undefined;
  const duration = parseDuration(trip.until);
  if (duration === undefined || 'problem' in duration) throw new Error(`trip on "${trip.switch}": unusable until ${JSON.stringify(trip.until)}`);
  return duration.ms;
}

/** The environment variables that carry `trips`, as the stack writes them. */
export function tripsToEnvironment(trips: readonly TripConfig[]): Record<string, string> {
  return { [TRIPS_VARIABLE]: JSON.stringify(trips) };
}

/** The trips from the environment; throws naming the variable when they are missing or unusable. */
export function tripsFromEnvironment(env: NodeJS.ProcessEnv = process.env): TripConfig[] {
  const raw = env[TRIPS_VARIABLE];
  if (raw === undefined || raw === '') throw new Error(`${TRIPS_VARIABLE} is not set`);
  let trips: unknown;
  try {
    trips = JSON.parse(raw);
  } catch {
    throw new Error(`${TRIPS_VARIABLE} is not JSON`);
  }
  if (!Array.isArray(trips)) throw new Error(`${TRIPS_VARIABLE} must be a JSON array of trips`);
  trips.forEach((trip, index) => {
    const problem = tripProblem(trip);
    if (problem) throw new Error(`${TRIPS_VARIABLE}[${index}] ${problem}`);
  });
  return trips as TripConfig[];
}
