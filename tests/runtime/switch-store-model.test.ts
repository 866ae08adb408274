/**
 * Model-based property test of the switch store's read rules (functions/switch/switch-store.ts): random sequences
 * of reads, concurrent reads, writes (malformed items included), DynamoDB answering, refusing or hanging, floods
 * of names and clock moves, run against the real store and against a reference model that restates the rules
 * plainly. Time is simulated (Jest's fake timers move Date and fire the store's read deadline), so nothing sleeps.
 *
 * Besides agreeing with the model at every step, every run checks the invariant the model could share a bug with:
 * a switch whose last successful read said suspended, with a future `until` or none, never reads active.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { readDeadlineMs, type SwitchSettings } from '../../functions/switch/schema';
import type { LogLine } from '../../functions/switch/structured-log';
import { InvalidSwitchNameError, SwitchStore, UndeclaredSwitchError } from '../../functions/switch/switch-store';
import type { SwitchSource, SwitchState } from '../../functions/switch/switch-state';
import { FakeSwitchTable, type FakeTableMode } from './fake-switch-table';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const TTL_MS = 5_000;
const MAX_STALE_MS = 10_000;
const LIMITS = { requestTimeoutMs: 100, maxAttempts: 1 };
const DEADLINE_MS = readDeadlineMs(LIMITS);
const MAX_CACHED = 4;
/** `reports` is left out when the run declares its switches; `bad name` is invalid. */
const NAMES = ['global', 'orders', 'payments', 'reports'] as const;
const DECLARED = ['global', 'orders', 'payments'];
const RUNS = 300;
const MAX_COMMANDS = 60;

type Policy = Pick<SwitchSettings, 'failMode' | 'failClosedSwitches' | 'switches'>;

// ---------------------------------------------------------------------------------------------------------------
// The reference model: the rules of the README's failure-behaviour section, stated as directly as possible.
// ---------------------------------------------------------------------------------------------------------------

/** What the table holds for a switch. */
type StoredSwitch = { readonly kind: 'active' } | { readonly kind: 'suspended'; readonly untilMs?: number; readonly reason: string } | { readonly kind: 'malformed' };

interface ModelValue {
  readonly suspendedUntilMs: number;
  readonly reason?: string;
}

interface ModelEntry {
  known?: ModelValue;
  knownAtMs: number;
  staleUntilMs: number;
  answerUntilMs: number;
  served: ModelValue;
  source: Exclude<SwitchSource, 'fresh'>;
}

type Expected =
  | { readonly rejected: 'invalid' | 'undeclared'; readonly requests: 0 }
  | { readonly suspended: boolean; readonly source: SwitchSource; readonly reason?: string; readonly requests: 0 | 1 };

class Model {
  now = T0;
  mode: FakeTableMode = 'up';
  readonly table = new Map<string, StoredSwitch>();
  /** Oldest first: eviction takes the first entry not held suspended. */
  readonly entries = new Map<string, ModelEntry>();
  heldWarnings = 0;

  constructor(readonly policy: Policy) {}

  read(name: string): Expected {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) return { rejected: 'invalid', requests: 0 };
    if (this.policy.switches !== undefined && !this.policy.switches.includes(name)) return { rejected: 'undeclared', requests: 0 };
    let entry = this.entries.get(name);
    if (entry !== undefined && this.now < entry.answerUntilMs) return { ...this.answer(entry, entry.source), requests: 0 };
    if (entry === undefined) {
      if (this.entries.size >= MAX_CACHED) {
        const evictable = [...this.entries].find(([, candidate]) => !this.holdsSuspension(candidate));
        if (evictable) this.entries.delete(evictable[0]);
      }
      entry = { knownAtMs: -Infinity, staleUntilMs: -Infinity, answerUntilMs: -Infinity, served: { suspendedUntilMs: -Infinity }, source: 'default' };
      this.entries.set(name, entry);
    }
    if (this.mode === 'hanging') this.now += DEADLINE_MS;
    const stored = this.table.get(name);
    if (this.mode !== 'up' || stored?.kind === 'malformed') return { ...this.afterFailure(name, entry), requests: 1 };

    const value: ModelValue =
      stored?.kind === 'suspended' ? { suspendedUntilMs: stored.untilMs ?? Infinity, reason: stored.reason } : { suspendedUntilMs: -Infinity };
    Object.assign(entry, { known: value, knownAtMs: this.now, staleUntilMs: this.now + TTL_MS + MAX_STALE_MS, answerUntilMs: this.now + TTL_MS, served: value, source: 'cached' });
    this.entries.delete(name);
    this.entries.set(name, entry);
    return { ...this.answer(entry, 'fresh'), requests: 1 };
  }

  private afterFailure(name: string, entry: ModelEntry): { suspended: boolean; source: SwitchSource; reason?: string } {
    const { known } = entry;
    if (known !== undefined && this.now < known.suspendedUntilMs) {
      Object.assign(entry, { served: known, source: 'stale', answerUntilMs: this.now + TTL_MS });
      if (this.now >= entry.staleUntilMs) this.heldWarnings += 1;
    } else if (known !== undefined && this.now < entry.staleUntilMs) {
      Object.assign(entry, { served: known, source: 'stale', answerUntilMs: Math.min(this.now + TTL_MS, entry.staleUntilMs) });
    } else {
      const failsClosed = this.policy.failMode === 'closed' || this.policy.failClosedSwitches.includes(name);
      const reason = this.table.get(name)?.kind === 'malformed' && this.mode === 'up' ? 'the switch item is malformed; failing closed' : 'the switch could not be read; failing closed';
      const served = failsClosed ? { suspendedUntilMs: Infinity, reason } : { suspendedUntilMs: -Infinity };
      Object.assign(entry, { served, source: 'default', answerUntilMs: this.now + TTL_MS });
    }
    return this.answer(entry, entry.source);
  }

  private answer(entry: ModelEntry, source: SwitchSource): { suspended: boolean; source: SwitchSource; reason?: string } {
    const suspended = this.now < entry.served.suspendedUntilMs;
    return { suspended, source, ...(suspended && entry.served.reason !== undefined ? { reason: entry.served.reason } : {}) };
  }

  private holdsSuspension(entry: ModelEntry): boolean {
    return entry.known !== undefined && this.now < entry.known.suspendedUntilMs;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The real store, over the in-memory table, with its log captured.
// ---------------------------------------------------------------------------------------------------------------

class Real {
  readonly table = new FakeSwitchTable();
  readonly logs: LogLine[] = [];
  readonly store: SwitchStore;

  constructor(policy: Policy) {
    this.store = new SwitchStore({
      tableName: 'switches',
      client: this.table.client,
      log: (line) => this.logs.push(line),
      maxCachedSwitches: MAX_CACHED,
      settings: { cacheTtlSeconds: TTL_MS / 1000, maxStaleSeconds: MAX_STALE_MS / 1000, ...LIMITS, ...policy },
    });
  }

  get heldWarnings(): number {
    return this.logs.filter((line) => line.msg === 'suspension held past the staleness bound').length;
  }

  /**
   * Whether DynamoDB's last well-formed answer for `name` was a suspension still in force at `nowMs`: the invariant
   * says such a switch reads suspended. Taken from what the table answered, not from the model.
   */
  lastAnswerHoldsSuspension(name: string, nowMs: number): boolean {
    for (let i = this.table.reads.length - 1; i >= 0; i -= 1) {
      const read = this.table.reads[i]!;
      if (read.name !== name || read.outcome !== 'answered') continue;
      const suspended = read.item?.suspended;
      if (suspended !== undefined && suspended.BOOL === undefined) continue; // malformed: says nothing
      if (suspended?.BOOL !== true) return false;
      const until = read.item?.until?.S;
      return until === undefined || Date.parse(until) > nowMs;
    }
    return false;
  }
}

/** Runs `reads` concurrent reads of one switch, firing the store's deadline when DynamoDB hangs. */
async function readConcurrently(real: Real, name: string, reads: number): Promise<{ outcomes: (SwitchState | 'invalid' | 'undeclared')[]; requests: number }> {
  const before = real.table.readCount;
  const pending = Array.from({ length: reads }, () =>
    real.store.readSwitch(name).catch((error: unknown) => {
      if (error instanceof InvalidSwitchNameError) return 'invalid' as const;
      if (error instanceof UndeclaredSwitchError) return 'undeclared' as const;
      throw error;
    }),
  );
  const requests = real.table.readCount - before;
  if (requests > 0 && real.table.mode === 'hanging') await jest.advanceTimersByTimeAsync(DEADLINE_MS);
  return { outcomes: await Promise.all(pending), requests };
}

let steps = 0;

function expectSame(model: Model, real: Real, name: string, expected: Expected, outcome: SwitchState | 'invalid' | 'undeclared'): void {
  if ('rejected' in expected) {
    expect(outcome).toBe(expected.rejected);
    return;
  }
  expect(outcome).toMatchObject({ switch: name, suspended: expected.suspended, source: expected.source });
  const state = outcome as SwitchState;
  expect(state.reason).toBe(expected.reason);
  // The invariant, checked against DynamoDB's answers rather than the model.
  if (real.lastAnswerHoldsSuspension(name, model.now)) expect(state.suspended).toBe(true);
}

// ---------------------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------------------

type Command = fc.AsyncCommand<Model, Real>;

class Read implements Command {
  constructor(
    readonly name: string,
    readonly concurrent: number,
  ) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    steps += 1;
    const expected = model.read(this.name);
    const { outcomes, requests } = await readConcurrently(real, this.name, this.concurrent);
    expect(requests).toBe(expected.requests);
    // Concurrent reads share one request and one answer.
    for (const outcome of outcomes) expectSame(model, real, this.name, expected, outcome);
    expect(Date.now()).toBe(model.now);
    expect(real.heldWarnings).toBe(model.heldWarnings);
  }
  toString = (): string => `read(${this.name}${this.concurrent > 1 ? ` x${this.concurrent}` : ''})`;
}

class Flood implements Command {
  constructor(readonly count: number) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    steps += 1;
    for (let i = 0; i < this.count; i += 1) {
      const name = `flood-${real.table.reads.length}-${i}`;
      const expected = model.read(name);
      const { outcomes, requests } = await readConcurrently(real, name, 1);
      expect(requests).toBe(expected.requests);
      expectSame(model, real, name, expected, outcomes[0]!);
    }
  }
  toString = (): string => `flood(${this.count})`;
}

class Write implements Command {
  constructor(
    readonly name: string,
    readonly stored: StoredSwitch | undefined,
    /** For a suspension with an end: milliseconds from now (negative: already over). */
    readonly untilInMs?: number,
  ) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    steps += 1;
    let stored = this.stored;
    if (stored?.kind === 'suspended' && this.untilInMs !== undefined) stored = { ...stored, untilMs: model.now + this.untilInMs };
    if (stored === undefined) {
      model.table.delete(this.name);
      real.table.items.delete(this.name);
      return;
    }
    model.table.set(this.name, stored);
    real.table.items.set(this.name, itemOf(stored));
  }
  toString = (): string => `write(${this.name}, ${JSON.stringify(this.stored)}${this.untilInMs !== undefined ? `, until now+${this.untilInMs}ms` : ''})`;
}

class SetMode implements Command {
  constructor(readonly mode: FakeTableMode) {}
  check = (): boolean => true;
  async run(model: Model, real: Real): Promise<void> {
    steps += 1;
    model.mode = this.mode;
    real.table.mode = this.mode;
  }
  toString = (): string => `dynamo(${this.mode})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(model: Model): Promise<void> {
    steps += 1;
    model.now += this.ms;
    await jest.advanceTimersByTimeAsync(this.ms);
  }
  toString = (): string => `advance(${this.ms}ms)`;
}

function itemOf(stored: StoredSwitch): Record<string, AttributeValue> {
  if (stored.kind === 'malformed') return { suspended: { S: 'true' } };
  if (stored.kind === 'active') return { suspended: { BOOL: false }, version: { N: '1' } };
  return {
    suspended: { BOOL: true },
    reason: { S: stored.reason },
    ...(stored.untilMs !== undefined ? { until: { S: new Date(stored.untilMs).toISOString() } } : {}),
    version: { N: '1' },
  };
}

const name = fc.constantFrom<string>(...NAMES, 'bad name');
const commands = [
  fc.tuple(name, fc.constantFrom(1, 1, 1, 3)).map(([switchName, concurrent]) => new Read(switchName, concurrent)),
  fc.integer({ min: 1, max: 6 }).map((count) => new Flood(count)),
  fc
    .tuple(
      fc.constantFrom(...NAMES),
      fc.constantFrom<StoredSwitch | undefined>(undefined, { kind: 'active' }, { kind: 'suspended', reason: 'incident' }, { kind: 'malformed' }),
      fc.option(fc.constantFrom(-1_000, 1, 2_000, 5_000, 12_000, 30_000), { nil: undefined }),
    )
    .map(([switchName, stored, untilInMs]) => new Write(switchName, stored, stored?.kind === 'suspended' ? untilInMs : undefined)),
  fc.constantFrom<FakeTableMode>('up', 'refusing', 'hanging').map((mode) => new SetMode(mode)),
  fc
    .oneof(fc.constantFrom(1, DEADLINE_MS, TTL_MS - 1, TTL_MS, TTL_MS + MAX_STALE_MS, 60_000), fc.integer({ min: 0, max: 20_000 }))
    .map((ms) => new Advance(ms)),
];

const policies: fc.Arbitrary<Policy> = fc
  .record({ failMode: fc.constantFrom('open' as const, 'closed' as const), failClosedSwitches: fc.subarray(['orders', 'payments']), declared: fc.boolean() })
  .map(({ failMode, failClosedSwitches, declared }) => ({ failMode, failClosedSwitches, switches: declared ? DECLARED : undefined }));

describe('switch store against a reference model of its read rules', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'], now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('agrees with the model on every answer, request and warning, and never lets a read suspension lapse', async () => {
    let runs = 0;
    steps = 0;
    await fc.assert(
      fc.asyncProperty(policies, fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), async (policy, sequence) => {
        runs += 1;
        jest.setSystemTime(T0);
        await fc.asyncModelRun(() => ({ model: new Model(policy), real: new Real(policy) }), sequence);
      }),
      { numRuns: RUNS },
    );
    console.log(`switch store model: ${runs} runs, ${steps} commands (reads, floods, writes, DynamoDB modes, clock moves)`);
  });
});
