import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDeadlineMs, sharedDynamoClient } from './dynamo-client';
import { plainSwitchAttributes, STATE_PROJECTION } from './item-attributes';
import { DEFAULT_SETTINGS, isValidSwitchName, SWITCH_KEY, SWITCH_NAME_PATTERN, type SwitchSettings } from './schema';
import { describeError, writeLogLine, type LogWriter } from './structured-log';
import { parseSwitchItem } from './switch-item';
import { SwitchValue, type SwitchState } from './switch-state';
import { switchTracer, type SwitchTracer } from './tracing';

export interface SwitchStoreOptions {
  /** The switch table. */
  readonly tableName: string;
  /** Cache TTL, staleness bound, fail mode and request limits. @default DEFAULT_SETTINGS (functions/switch/schema.ts) */
  readonly settings?: Partial<SwitchSettings>;
  /**
   * The DynamoDB client reads go through; it is used as given (no tracing is added to it).
   * @default sharedDynamoClient(settings): one traced client per execution environment
   */
  readonly client?: DynamoDBClient;
  /** Milliseconds since the epoch; tests pass their own to move time without waiting. @default Date.now */
  readonly clock?: () => number;
  /**
   * Most switches kept in memory; past it the least recently refreshed is dropped, so a stream of distinct names
   * cannot grow the cache without bound. @default 1000
   */
  readonly maxCachedSwitches?: number;
  /** Where warnings (failed reads, malformed items) go. @default one JSON line on stdout */
  readonly log?: LogWriter;
  /** @default switchTracer(): X-Ray in Lambda, nothing elsewhere */
  readonly tracer?: SwitchTracer;
}

/** Thrown (as a rejection) by readSwitch for a name that no switch can have. */
export class InvalidSwitchNameError extends Error {
  override readonly name = 'InvalidSwitchNameError';
  constructor(readonly switchName: unknown) {
    super(`invalid switch name ${JSON.stringify(String(switchName).slice(0, 80))}: a name is 1-64 characters matching ${SWITCH_NAME_PATTERN}`);
  }
}

/** One state a cache hit returns, with the already-resolved promise that carries it. */
interface Hit {
  readonly state: SwitchState;
  readonly promise: Promise<SwitchState>;
}

/** What hits are answered with until `untilMs`. */
interface Served {
  readonly untilMs: number;
  readonly value: SwitchValue;
  readonly active: Hit;
  readonly suspended: Hit;
}

interface CacheEntry {
  served?: Served;
  /** The last value DynamoDB gave, and until when it may be served while DynamoDB fails. */
  lastKnown?: SwitchValue;
  staleUntilMs: number;
  /** The read in progress; concurrent misses share it instead of sending their own. */
  inflight?: Promise<SwitchState>;
}

/**
 * Reads switches through an in-memory cache, one per execution environment:
 * - a read is served from memory for `cacheTtlSeconds`, "no item" (active) included;
 * - `until` is evaluated at every read, so a suspension ends on time without a new request;
 * - concurrent misses of one switch share one GetItem;
 * - when DynamoDB fails, the last known value is served up to `maxStaleSeconds` past its expiry, then the fail
 *   mode's default; either is kept for one TTL before DynamoDB is asked again, so an outage costs at most one
 *   bounded request per switch per TTL, not one per invocation;
 * - a malformed item never throws: it is logged and read as the fail mode's default.
 * readSwitch never rejects because of DynamoDB; it rejects only for an invalid switch name.
 */
export class SwitchStore {
  readonly tableName: string;
  readonly settings: SwitchSettings;
  private readonly client: DynamoDBClient;
  private readonly clock: () => number;
  private readonly log: LogWriter;
  private readonly tracer: SwitchTracer;
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly deadlineMs: number;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, CacheEntry>();

  constructor(options: SwitchStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new TypeError('SwitchStore needs the name of the switch table (tableName)');
    }
    const settings: SwitchSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    const nonNegative = (field: keyof SwitchSettings, value: number): void => {
      if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`settings.${field} must be a number of at least 0, got ${value}`);
    };
    nonNegative('cacheTtlSeconds', settings.cacheTtlSeconds);
    nonNegative('maxStaleSeconds', settings.maxStaleSeconds);
    if (settings.failMode !== 'open' && settings.failMode !== 'closed') {
      throw new RangeError(`settings.failMode must be "open" or "closed", got ${JSON.stringify(settings.failMode)}`);
    }
    const maxEntries = options.maxCachedSwitches ?? 1000;
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) throw new RangeError(`maxCachedSwitches must be a whole number of at least 1, got ${maxEntries}`);

    this.tableName = options.tableName;
    this.settings = settings;
    this.client = options.client ?? sharedDynamoClient(settings);
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? writeLogLine;
    this.tracer = options.tracer ?? switchTracer();
    this.ttlMs = settings.cacheTtlSeconds * 1000;
    this.maxStaleMs = settings.maxStaleSeconds * 1000;
    this.deadlineMs = readDeadlineMs(settings);
    this.maxEntries = maxEntries;
  }

  /** The switch's effective state now. Never rejects because of DynamoDB (see the class comment). */
  readSwitch(name: string): Promise<SwitchState> {
    // The hit path: one map lookup, one clock read, two comparisons, and a promise resolved in advance.
    const entry = this.entries.get(name);
    const served = entry?.served;
    if (served !== undefined) {
      const now = this.clock();
      if (now < served.untilMs) {
        const hit = now < served.value.suspendedUntilMs ? served.suspended : served.active;
        this.tracer.recordRead(hit.state);
        return hit.promise;
      }
    }
    return this.readThrough(name, entry);
  }

  /** Drops what is known about `name` (every switch when omitted): the next read asks DynamoDB. */
  forget(name?: string): void {
    if (name === undefined) this.entries.clear();
    else this.entries.delete(name);
  }

  /** How many switches are in memory. */
  get cachedSwitchCount(): number {
    return this.entries.size;
  }

  private readThrough(name: string, entry: CacheEntry | undefined): Promise<SwitchState> {
    return (entry?.inflight ?? this.startRead(name, entry)).then(this.recordRead);
  }

  private startRead(name: string, existing: CacheEntry | undefined): Promise<SwitchState> {
    if (!isValidSwitchName(name)) return Promise.reject(new InvalidSwitchNameError(name));
    const entry = existing ?? this.insert(name, { staleUntilMs: -Infinity });
    const inflight = this.refresh(name, entry);
    entry.inflight = inflight;
    const settled = (): void => {
      if (entry.inflight === inflight) entry.inflight = undefined;
    };
    inflight.then(settled, settled);
    return inflight;
  }

  private readonly recordRead = (state: SwitchState): SwitchState => {
    this.tracer.recordRead(state);
    return state;
  };

  /** Asks DynamoDB and updates the entry. Never rejects: every failure becomes a stale or default state. */
  private async refresh(name: string, entry: CacheEntry): Promise<SwitchState> {
    let value: SwitchValue;
    try {
      value = this.valueOf(name, await this.getItem(name));
    } catch (error) {
      return this.afterFailedRead(name, entry, error);
    }
    const now = this.clock();
    entry.lastKnown = value;
    entry.staleUntilMs = now + this.ttlMs + this.maxStaleMs;
    this.serve(entry, value, 'cached', now + this.ttlMs);
    // Re-inserted so that eviction drops the switch refreshed longest ago, not the hot one inserted first.
    this.insert(name, entry);
    return value.stateAt(now, 'fresh');
  }

  private afterFailedRead(name: string, entry: CacheEntry, error: unknown): SwitchState {
    const now = this.clock();
    const known = entry.lastKnown;
    if (known && now < entry.staleUntilMs) {
      this.serve(entry, known, 'stale', Math.min(now + this.ttlMs, entry.staleUntilMs));
      const state = known.stateAt(now, 'stale');
      this.warnReadFailed(name, error, state);
      return state;
    }
    const fallback = SwitchValue.failModeDefault(name, this.settings.failMode, 'the switch could not be read');
    this.serve(entry, fallback, 'cached', now + this.ttlMs);
    const state = fallback.stateAt(now, 'fresh');
    this.warnReadFailed(name, error, state);
    return state;
  }

  private warnReadFailed(name: string, error: unknown, served: SwitchState): void {
    this.log({ level: 'warn', msg: 'switch read failed', switch: name, error: describeError(error), source: served.source, suspended: served.suspended });
  }

  private serve(entry: CacheEntry, value: SwitchValue, source: 'cached' | 'stale', untilMs: number): void {
    const hit = (suspended: boolean): Hit => {
      const state = value.state(suspended, source);
      return { state, promise: Promise.resolve(state) };
    };
    const active = hit(false);
    entry.served = { untilMs, value, active, suspended: value.canBeSuspended ? hit(true) : active };
  }

  private valueOf(name: string, item: Record<string, AttributeValue> | undefined): SwitchValue {
    if (item === undefined) return SwitchValue.absent(name);
    const parsed = parseSwitchItem(name, plainSwitchAttributes(item));
    if (!parsed.ok) {
      const value = SwitchValue.failModeDefault(name, this.settings.failMode, 'the switch item is malformed');
      this.log({ level: 'warn', msg: 'switch item is malformed', switch: name, problem: parsed.problem, source: 'default', suspended: this.settings.failMode === 'closed' });
      return value;
    }
    if (parsed.warnings.length > 0) {
      this.log({ level: 'warn', msg: 'switch item has unusable attributes', switch: name, warnings: parsed.warnings });
    }
    return SwitchValue.stored(parsed.record);
  }

  private async getItem(name: string): Promise<Record<string, AttributeValue> | undefined> {
    // The SDK bounds each attempt; this bounds the whole read, backoff pauses included (throttling backoff alone
    // can exceed a second).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.deadlineMs);
    try {
      const output = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { [SWITCH_KEY.name]: { S: name } }, ConsistentRead: false, ...STATE_PROJECTION }),
        { abortSignal: deadline.signal },
      );
      return output.Item;
    } finally {
      clearTimeout(timer);
    }
  }

  private insert(name: string, entry: CacheEntry): CacheEntry {
    this.entries.delete(name);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(name, entry);
    return entry;
  }
}
