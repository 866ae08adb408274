import type { SwitchRecord } from './switch-item';

/**
 * Where a read's answer came from:
 * - `fresh`: DynamoDB answered this read (or a concurrent one it joined);
 * - `cached`: served from memory within the cache TTL of a successful read;
 * - `stale`: DynamoDB failed, so the last value it gave is served: a suspension for as long as DynamoDB keeps
 *   failing, an active switch only within the staleness bound;
 * - `default`: nothing usable is known (nothing was ever read, or the last read said active and is past the
 *   staleness bound), so the switch's fail policy decides.
 */
export type SwitchSource = 'fresh' | 'cached' | 'stale' | 'default';

/** The effective state of a switch at the moment it was read. */
export interface SwitchState {
  readonly switch: string;
  /** Suspended now: the stored flag with `until` evaluated at read time, or the fail policy's default. */
  readonly suspended: boolean;
  /** Why the switch is suspended (at most MAX_REASON_LENGTH characters); only while suspended. */
  readonly reason?: string;
  /** ISO 8601 UTC instant the suspension ends by itself; only while suspended and only when one is set. */
  readonly until?: string;
  /** `until` in milliseconds since the epoch. */
  readonly untilMs?: number;
  readonly source: SwitchSource;
  /** The stored item behind the state; absent when the switch has no item or when its state is a default. */
  readonly record?: SwitchRecord;
}
