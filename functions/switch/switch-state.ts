import type { FailMode } from './schema';
import { parseIsoUtc, type SwitchRecord } from './switch-item';

/**
 * Where a read's answer came from:
 * - `fresh`: DynamoDB answered this read (or a concurrent one it joined);
 * - `cached`: served from memory within the cache TTL;
 * - `stale`: DynamoDB failed, so the last known value is served, within the staleness bound;
 * - `default`: nothing usable is known (DynamoDB failed past the staleness bound, or the item is malformed),
 *   so the configured fail mode decides.
 */
export type SwitchSource = 'fresh' | 'cached' | 'stale' | 'default';

/** The effective state of a switch at the moment it was read. */
export interface SwitchState {
  readonly switch: string;
  /** Suspended now: the stored flag with `until` evaluated at read time, or the fail mode's default. */
  readonly suspended: boolean;
  /** Why the switch is suspended; only while suspended. */
  readonly reason?: string;
  /** ISO 8601 UTC instant the suspension ends by itself; only while suspended and only when one is set. */
  readonly until?: string;
  /** `until` in milliseconds since the epoch. */
  readonly untilMs?: number;
  readonly source: SwitchSource;
  /** The stored item behind the state; absent when the switch has no item or when its state is a default. */
  readonly record?: SwitchRecord;
}

const SOURCES: readonly SwitchSource[] = ['fresh', 'cached', 'stale', 'default'];

/**
 * What one read of a switch learned, kept in the cache. Each read derives its state from it at read time, so a
 * cached suspension whose `until` passes turns active without asking DynamoDB again. The states are built once
 * per (source, suspended) pair and shared: a cache hit allocates nothing.
 */
export class SwitchValue {
  /** Suspended while the clock is before this: -Infinity when active, Infinity when suspended with no end. */
  readonly suspendedUntilMs: number;
  private readonly states: (SwitchState | undefined)[] = [];

  private constructor(
    readonly name: string,
    private readonly suspension: { readonly untilMs: number; readonly reason?: string; readonly until?: string } | undefined,
    /** True when the value is the fail mode's default rather than something DynamoDB said. */
    readonly isDefault: boolean,
    readonly record?: SwitchRecord,
  ) {
    this.suspendedUntilMs = suspension ? suspension.untilMs : -Infinity;
  }

  /** A switch as stored. */
  static stored(record: SwitchRecord): SwitchValue {
    if (!record.suspended) return new SwitchValue(record.name, undefined, false, record);
    const untilMs = parseIsoUtc(record.until);
    return new SwitchValue(
      record.name,
      {
        untilMs: untilMs ?? Infinity,
        ...(record.reason !== undefined ? { reason: record.reason } : {}),
        ...(untilMs !== undefined ? { until: record.until } : {}),
      },
      false,
      record,
    );
  }

  /** A switch without an item: active. */
  static absent(name: string): SwitchValue {
    return new SwitchValue(name, undefined, false);
  }

  /** The fail mode's answer when nothing usable is known; `why` becomes the reason when failing closed. */
  static failModeDefault(name: string, failMode: FailMode, why: string): SwitchValue {
    if (failMode === 'open') return new SwitchValue(name, undefined, true);
    return new SwitchValue(name, { untilMs: Infinity, reason: `${why}; failing closed` }, true);
  }

  /** Whether the value is suspended at some time (now or until its `until`). */
  get canBeSuspended(): boolean {
    return this.suspension !== undefined;
  }

  /** The state at `nowMs`; a default value always reports `default`, whatever `source` the caller passes. */
  stateAt(nowMs: number, source: Exclude<SwitchSource, 'default'>): SwitchState {
    return this.state(nowMs < this.suspendedUntilMs, source);
  }

  /** The state while suspended or while active; `suspended` must be false when the value cannot be suspended. */
  state(suspended: boolean, source: Exclude<SwitchSource, 'default'>): SwitchState {
    const effectiveSource: SwitchSource = this.isDefault ? 'default' : source;
    const slot = SOURCES.indexOf(effectiveSource) * 2 + (suspended ? 1 : 0);
    return (this.states[slot] ??= this.buildState(suspended, effectiveSource));
  }

  private buildState(suspended: boolean, source: SwitchSource): SwitchState {
    const state: { -readonly [K in keyof SwitchState]: SwitchState[K] } = { switch: this.name, suspended, source };
    if (suspended && this.suspension) {
      if (this.suspension.reason !== undefined) state.reason = this.suspension.reason;
      if (this.suspension.until !== undefined) {
        state.until = this.suspension.until;
        state.untilMs = this.suspension.untilMs;
      }
    }
    if (this.record) state.record = this.record;
    return Object.freeze(state);
  }
}
