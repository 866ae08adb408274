import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readDeadlineMs, sharedDynamoClient } from './dynamo-client';
import { plainSwitchAttributes, STATE_PROJECTION } from './item-attributes';
import { DEFAULT_SETTINGS, ENV, isValidSwitchName, settingProblem, settingsConflict, SWITCH_KEY, SWITCH_NAME_PATTERN, type SwitchSettings } from './schema';
import { describeError, writeLogLine, type LogWriter } from './structured-log';
import { parseIsoUtc, parseSwitchItem, type SwitchRecord } from './switch-item';
import type { SwitchSource, SwitchState } from './switch-state';
import { switchTracer, type SwitchTracer } from './tracing';

export interface SwitchStoreOptions {
  /** The switch table. */
  readonly tableName: string;
  /**
   * Cache TTL, staleness bound, fail policy (fail mode, fail-closed switches), declared switches and request
   * limits. @default DEFAULT_SETTINGS (functions/switch/schema.ts)
   */
  readonly settings?: Partial<SwitchSettings>;
  /**
   * The DynamoDB client reads go through; it is used as given (no tracing is added to it).
   * @default sharedDynamoClient(settings): one traced client per execution environment
   */
  readonly client?: DynamoDBClient;
  /** Milliseconds since the epoch; tests pass their own to move time without waiting. @default Date.now */
  readonly clock?: () => number;
  /**
   * Most switches kept in memory; past it the least recently refreshed one that is neither held suspended nor being
   * read is dropped, so a stream of distinct names cannot grow the cache without bound nor erase a suspension.
   * @default 1000
   */
  readonly maxCachedSwitches?: number;
  /** Where warnings (failed reads, malformed items, suspensions held past the staleness bound) go. @default one JSON line on stdout */
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

/** Thrown (as a rejection) by readSwitch for a valid name that the declared switches (`settings.switches`) leave out. */
export class UndeclaredSwitchError extends Error {
  override readonly name = 'UndeclaredSwitchError';
  constructor(readonly switchName: string) {
    super(`switch "${switchName}" is not declared here: ${ENV.switches} lists the switches this function answers for`);
  }
}

/** What a switch is, as one read found it or as a default. */
interface SwitchValue {
  /** Suspended while the clock is before this: -Infinity when active, Infinity when suspended with no end. */
  readonly suspendedUntilMs: number;
  readonly reason?: string;
  /** `until` as stored, when the suspension has an end. */
  readonly until?: string;
  /** The stored item; absent for "no item" and for defaults. */
  readonly record?: SwitchRecord;
}

/** A state that cache hits return, with the promise resolved in advance that carries it: a hit allocates nothing. */
interface Answer {
  readonly state: SwitchState;
  readonly promise: Promise<SwitchState>;
}

/** Everything one execution environment knows about one switch. Only the rules in SwitchStore change it. */
interface SwitchEntry {
  readonly name: string;
  /** What the last successful read said; undefined until a read succeeds. */
  known: SwitchValue | undefined;
  /** When the last successful read happened; what `known` is as old as. */
  knownAtMs: number;
  /** Until when `known` may be served while DynamoDB fails, if it says active (a suspension has no such limit). */
  staleUntilMs: number;
  /** Hits are answered from memory while the clock is before this; from then on, DynamoDB is asked. */
  answerUntilMs: number;
  /** Hits get `suspended` while the clock is before this, `active` from then on (a suspension's `until`). */
  suspendedUntilMs: number;
  suspended: Answer;
  active: Answer;
  /** The read in progress; concurrent misses share it instead of sending their own. */
  inflight: Promise<SwitchState> | undefined;
}

/** Why a read brought no usable value, for the log and a fail-closed default's reason. */
type ReadFailure = { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'malformed'; readonly problem: string };

/**
 * Reads switches through an in-memory cache, one per execution environment. The rules, in the order a read meets
 * them (each is one method below):
 *
 * 1. `readSwitch`: a name read within the cache TTL of its last read is answered from memory, `until` evaluated
 *    at each read (a suspension ends on time without a request). An invalid name rejects with
 *    InvalidSwitchNameError; a valid one outside `settings.switches` (when declared) rejects with
 *    UndeclaredSwitchError; neither reaches DynamoDB nor the cache.
 * 2. `refresh`: otherwise DynamoDB is asked (concurrent misses of one switch share one GetItem, bounded as a whole
 *    by readDeadlineMs).
 * 3. `afterRead`: a successful read replaces what is known ("no item" is active) and is served for one TTL.
 * 4. `afterFailure`: a failed read, or an item that cannot say whether the switch is suspended, changes nothing
 *    known. What is served for the next TTL:
 *    - a switch last read suspended stays suspended until its own `until`, however long DynamoDB fails (`stale`;
 *      past the staleness bound, a warning once per TTL). Only a successful read that says otherwise lifts it;
 *    - a switch last read active stays active within `maxStaleSeconds` past that read's TTL (`stale`);
 *    - otherwise the fail policy (`default`): suspended for fail-closed switches (`failMode: 'closed'`, or named in
 *      `failClosedSwitches`), active for the others.
 * 5. `insert`: past `maxCachedSwitches` the entry refreshed longest ago is dropped, never one held suspended nor one
 *    whose read is in flight.
 *
 * An outage thus costs one bounded read per switch per TTL, not one per invocation. readSwitch never rejects
 * because of DynamoDB.
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
  private readonly failClosed: ReadonlySet<string>;
  private readonly declared: ReadonlySet<string> | undefined;
  private readonly entries = new Map<string, SwitchEntry>();

  constructor(options: SwitchStoreOptions) {
    if (typeof options.tableName !== 'string' || options.tableName === '') {
      throw new TypeError('SwitchStore needs the name of the switch table (tableName)');
    }
    const settings: SwitchSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    for (const setting of ['cacheTtlSeconds', 'maxStaleSeconds', 'failMode', 'failClosedSwitches', 'switches'] as const) {
      const problem = settingProblem(setting, settings[setting]);
      if (problem) throw new RangeError(`settings.${setting} ${problem}, got ${JSON.stringify(settings[setting])}`);
    }
    const conflict = settingsConflict(settings);
    if (conflict) throw new RangeError(`settings.${conflict[0]} ${conflict[1]}`);
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
    this.failClosed = new Set(settings.failClosedSwitches);
    this.declared = settings.switches === undefined ? undefined : new Set(settings.switches);
  }

  /** Rule 1. The switch's effective state now. Never rejects because of DynamoDB (see the class comment). */
  readSwitch(name: string): Promise<SwitchState> {
    // The hit path: one map lookup, one clock read, two comparisons, and a promise resolved in advance.
    const entry = this.entries.get(name);
    if (entry !== undefined) {
      const now = this.clock();
      if (now < entry.answerUntilMs) {
        const answer = now < entry.suspendedUntilMs ? entry.suspended : entry.active;
        this.tracer.recordRead(answer.state);
        return answer.promise;
      }
      return (entry.inflight ?? this.refresh(entry)).then(this.recordRead);
    }
    if (!isValidSwitchName(name)) return Promise.reject(new InvalidSwitchNameError(name));
    if (this.declared !== undefined && !this.declared.has(name)) return Promise.reject(new UndeclaredSwitchError(name));
    return this.refresh(this.insert(newEntry(name))).then(this.recordRead);
  }

  /** How many switches are in memory. */
  get cachedSwitchCount(): number {
    return this.entries.size;
  }

  /** Rule 2: one read of DynamoDB for `entry`, shared by every miss until it settles. Never rejects. */
  private refresh(entry: SwitchEntry): Promise<SwitchState> {
    const inflight = this.getItem(entry.name).then(
      (item) => this.afterRead(entry, item),
      (error: unknown) => this.afterFailure(entry, { kind: 'failed', error }),
    );
    entry.inflight = inflight;
    const settled = (): void => {
      if (entry.inflight === inflight) entry.inflight = undefined;
    };
    inflight.then(settled, settled);
    return inflight;
  }

  /** Rule 3: DynamoDB answered. What it says is what is known, served for one TTL. */
  private afterRead(entry: SwitchEntry, item: Record<string, AttributeValue> | undefined): SwitchState {
    let value: SwitchValue = ACTIVE;
    if (item !== undefined) {
      const parsed = parseSwitchItem(entry.name, plainSwitchAttributes(item));
      if (!parsed.ok) return this.afterFailure(entry, { kind: 'malformed', problem: parsed.problem });
      if (parsed.warnings.length > 0) {
        this.log({ level: 'warn', msg: 'switch item has unusable attributes', switch: entry.name, warnings: parsed.warnings });
      }
      value = valueOf(parsed.record);
    }
    const now = this.clock();
    entry.known = value;
    entry.knownAtMs = now;
    entry.staleUntilMs = now + this.ttlMs + this.maxStaleMs;
    serve(entry, value, 'cached', now + this.ttlMs);
    // Re-inserted so that eviction drops the switch refreshed longest ago, not the hot one inserted first; only while
    // this entry still holds the name, so that a read outliving its entry can never replace a newer one.
    if (this.entries.get(entry.name) === entry) this.insert(entry);
    return stateOf(entry.name, value, now < value.suspendedUntilMs, 'fresh');
  }

  /** Rule 4: DynamoDB failed or the item is unusable. Nothing known changes; see the class comment for what is served. */
  private afterFailure(entry: SwitchEntry, failure: ReadFailure): SwitchState {
    const now = this.clock();
    const known = entry.known;
    const holdsSuspension = known !== undefined && now < known.suspendedUntilMs;
    if (holdsSuspension) serve(entry, known, 'stale', now + this.ttlMs);
    else if (known !== undefined && now < entry.staleUntilMs) serve(entry, known, 'stale', Math.min(now + this.ttlMs, entry.staleUntilMs));
    else serve(entry, this.failPolicy(entry.name, failure), 'default', now + this.ttlMs);

    const state = now < entry.suspendedUntilMs ? entry.suspended.state : entry.active.state;
    const served = { switch: entry.name, source: state.source, suspended: state.suspended };
    if (failure.kind === 'malformed') this.log({ level: 'warn', msg: 'switch item is malformed', ...served, problem: failure.problem });
    else this.log({ level: 'warn', msg: 'switch read failed', ...served, error: describeError(failure.error) });
    // Logged at most once per TTL: a failed read is kept for one TTL before DynamoDB is asked again.
    if (holdsSuspension && now >= entry.staleUntilMs) {
      const staleSeconds = (now - entry.knownAtMs) / 1000;
      this.log({ level: 'warn', msg: 'suspension held past the staleness bound', switch: entry.name, lastReadAt: new Date(entry.knownAtMs).toISOString(), staleSeconds });
    }
    return state;
  }

  /** The answer when nothing usable is known: suspended for a fail-closed switch, with a reason saying why. */
  private failPolicy(name: string, failure: ReadFailure): SwitchValue {
    if (this.settings.failMode === 'open' && !this.failClosed.has(name)) return ACTIVE;
    const why = failure.kind === 'malformed' ? 'the switch item is malformed' : 'the switch could not be read';
    return { suspendedUntilMs: Infinity, reason: `${why}; failing closed` };
  }

  /**
   * Rule 5: moves `entry` to the newest place; a new entry first drops the oldest one that is neither held suspended
   * nor being read when the cache is full. Held suspensions are skipped, so they may take the cache past
   * `maxCachedSwitches`: their number is that of the suspended items in the table, which only operators create.
   * Entries being read are skipped because the read, when it settles, must update the entry that holds the name (an
   * evicted entry's read would otherwise bring back what it found over a newer entry's suspension); they are at most
   * the reads in flight, each bounded by the read deadline.
   */
  private insert(entry: SwitchEntry): SwitchEntry {
    const isNew = !this.entries.delete(entry.name);
    if (isNew && this.entries.size >= this.maxEntries) {
      const now = this.clock();
      for (const [name, candidate] of this.entries) {
        if (candidate.inflight === undefined && !(candidate.known !== undefined && now < candidate.known.suspendedUntilMs)) {
          this.entries.delete(name);
          break;
        }
      }
    }
    this.entries.set(entry.name, entry);
    return entry;
  }

  /** The one place a switch is read from DynamoDB. */
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

  private readonly recordRead = (state: SwitchState): SwitchState => {
    this.tracer.recordRead(state);
    return state;
  };
}

/** A switch without an item, or stored active. */
const ACTIVE: SwitchValue = { suspendedUntilMs: -Infinity };

function valueOf(record: SwitchRecord): SwitchValue {
  if (!record.suspended) return { suspendedUntilMs: -Infinity, record };
  const untilMs = parseIsoUtc(record.until);
  return {
    suspendedUntilMs: untilMs ?? Infinity,
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    ...(untilMs !== undefined ? { until: record.until } : {}),
    record,
  };
}

function newEntry(name: string): SwitchEntry {
  const nothing = answerOf(stateOf(name, ACTIVE, false, 'default'));
  return { name, known: undefined, knownAtMs: -Infinity, staleUntilMs: -Infinity, answerUntilMs: -Infinity, suspendedUntilMs: -Infinity, suspended: nothing, active: nothing, inflight: undefined };
}

/** Answers hits with `value` until `untilMs`; both answers are built here, once, so that hits allocate nothing. */
function serve(entry: SwitchEntry, value: SwitchValue, source: SwitchSource, untilMs: number): void {
  entry.answerUntilMs = untilMs;
  entry.suspendedUntilMs = value.suspendedUntilMs;
  entry.active = answerOf(stateOf(entry.name, value, false, source));
  entry.suspended = value.suspendedUntilMs === -Infinity ? entry.active : answerOf(stateOf(entry.name, value, true, source));
}

function answerOf(state: SwitchState): Answer {
  return { state, promise: Promise.resolve(state) };
}

function stateOf(name: string, value: SwitchValue, suspended: boolean, source: SwitchSource): SwitchState {
  const state: { -readonly [K in keyof SwitchState]: SwitchState[K] } = { switch: name, suspended, source };
  if (suspended) {
    if (value.reason !== undefined) state.reason = value.reason;
    if (value.until !== undefined) {
      state.until = value.until;
      state.untilMs = value.suspendedUntilMs;
    }
  }
  if (value.record !== undefined) state.record = value.record;
  return Object.freeze(state);
}
