/**
 * Model-based property test of the switch store's read rules (functions/switch/switch-store.ts): random sequences
 * of reads (started and settled apart, so that writes, floods, failures and clock moves happen while a read is in
 * flight), concurrent reads, writes (malformed items included), DynamoDB answering, refusing, hanging or answering
 * slowly, floods of names and clock moves forwards and backwards, run against the real store and against a
 * reference model that restates the rules plainly. Time is simulated (Jest's fake timers move Date and fire the
 * store's read deadline, which counts elapsed time, not the wall clock), so nothing sleeps.
 *
 * Besides agreeing with the model at every step, every read checks the invariant the model could share a bug with:
 * a switch whose latest successful read (in the order DynamoDB received them) said suspended, with no `until` or one
 * the clock has not yet reached (a suspension whose `until` was reached has ended, even if the clock then goes
 * back), never reads active.
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

type Answer = { readonly suspended: boolean; readonly source: SwitchSource; readonly reason?: string };
type Expected = { readonly rejected: 'invalid' | 'undeclared' } | Answer;

/** One read as the model sees it: its answer, once known. */
interface Ticket {
  readonly name: string;
  expected?: Expected;
}

/** A GetItem the model's store has sent and not yet seen settle. */
interface ModelRequest {
  readonly name: string;
  readonly entry: ModelEntry;
  /** What the table held when the request arrived: what a successful answer says. */
  readonly stored: StoredSwitch | undefined;
  /** The mode the request met: `up` and `refusing` settle within the command, `slow` when told, `hanging` at the deadline. */
  readonly mode: FakeTableMode;
  /** Elapsed timer time at which the store's deadline aborts it. */
  readonly deadlineTick: number;
  readonly tickets: Ticket[];
}

interface ModelEntry {
  known?: ModelValue;
  knownAtMs: number;
  staleUntilMs: number;
  answerUntilMs: number;
  served: ModelValue;
  source: Exclude<SwitchSource, 'fresh'>;
  inflight?: ModelRequest;
}

class Model {
  /** The wall clock (moves both ways). */
  now = T0;
  /** Elapsed time, which timers count (only moves forwards). */
  tick = 0;
  mode: FakeTableMode = 'up';
  readonly table = new Map<string, StoredSwitch>();
  /** Oldest first: eviction takes the first entry neither held suspended nor being read. */
  readonly entries = new Map<string, ModelEntry>();
  /** Requests sent and not settled, oldest first. */
  readonly requests: ModelRequest[] = [];
  heldWarnings = 0;

  constructor(readonly policy: Policy) {}

  /** Starts a read; returns its ticket and whether it sent a request. */
  read(name: string): { ticket: Ticket; requests: 0 | 1 } {
    const ticket: Ticket = { name };
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) return { ticket: { name, expected: { rejected: 'invalid' } }, requests: 0 };
    if (this.policy.switches !== undefined && !this.policy.switches.includes(name)) return { ticket: { name, expected: { rejected: 'undeclared' } }, requests: 0 };
    let entry = this.entries.get(name);
    if (entry !== undefined && this.now < entry.answerUntilMs) return { ticket: { name, expected: this.answer(entry, entry.source) }, requests: 0 };
    if (entry?.inflight !== undefined) {
      entry.inflight.tickets.push(ticket);
      return { ticket, requests: 0 };
    }
    if (entry === undefined) {
      if (this.entries.size >= MAX_CACHED) {
        const evictable = [...this.entries].find(([, candidate]) => candidate.inflight === undefined && !this.holdsSuspension(candidate));
        if (evictable) this.entries.delete(evictable[0]);
      }
      entry = { knownAtMs: -Infinity, staleUntilMs: -Infinity, answerUntilMs: -Infinity, served: { suspendedUntilMs: -Infinity }, source: 'default' };
      this.entries.set(name, entry);
    }
    const request: ModelRequest = { name, entry, stored: this.table.get(name), mode: this.mode, deadlineTick: this.tick + DEADLINE_MS, tickets: [ticket] };
    entry.inflight = request;
    this.requests.push(request);
    return { ticket, requests: 1 };
  }

  /** Settles the requests that `up` and `refusing` answer at once, as the store sees them after the command's calls. */
  settleInstant(): void {
    for (const request of this.requests.filter((r) => r.mode === 'up' || r.mode === 'refusing')) {
      this.settle(request, request.mode === 'up' ? 'answered' : 'refused');
    }
  }

  /** The `slow` requests a test can settle, oldest first. */
  get slowRequests(): ModelRequest[] {
    return this.requests.filter((request) => request.mode === 'slow');
  }

  settle(request: ModelRequest, outcome: 'answered' | 'refused' | 'aborted'): void {
    this.requests.splice(this.requests.indexOf(request), 1);
    const { entry } = request;
    let answer: Answer;
    if (outcome !== 'answered') answer = this.afterFailure(request.name, entry, 'failed');
    else if (request.stored?.kind === 'malformed') answer = this.afterFailure(request.name, entry, 'malformed');
    else {
      const { stored } = request;
      const value: ModelValue = stored?.kind === 'suspended' ? { suspendedUntilMs: stored.untilMs ?? Infinity, reason: stored.reason } : { suspendedUntilMs: -Infinity };
      Object.assign(entry, { known: value, knownAtMs: this.now, staleUntilMs: this.now + TTL_MS + MAX_STALE_MS, answerUntilMs: this.now + TTL_MS, served: value, source: 'cached' });
      if (this.entries.get(request.name) === entry) {
        this.entries.delete(request.name);
        this.entries.set(request.name, entry);
      }
      answer = this.answer(entry, 'fresh');
    }
    if (entry.inflight === request) entry.inflight = undefined;
    for (const ticket of request.tickets) ticket.expected = answer;
  }

  /** Moves the clock forwards by `ms`, aborting every request whose deadline passes on the way, in time order. */
  advance(ms: number): void {
    const target = this.tick + ms;
    for (;;) {
      const due = this.requests.filter((request) => request.deadlineTick <= target);
      if (due.length === 0) break;
      const first = due.reduce((a, b) => (b.deadlineTick < a.deadlineTick ? b : a));
      this.now += first.deadlineTick - this.tick;
      this.tick = first.deadlineTick;
      this.settle(first, 'aborted');
    }
    this.now += target - this.tick;
    this.tick = target;
  }

  private afterFailure(name: string, entry: ModelEntry, kind: 'failed' | 'malformed'): Answer {
    const { known } = entry;
    if (known !== undefined && this.now < known.suspendedUntilMs) {
      Object.assign(entry, { served: known, source: 'stale', answerUntilMs: this.now + TTL_MS });
      if (this.now >= entry.staleUntilMs) this.heldWarnings += 1;
    } else if (known !== undefined && this.now < entry.staleUntilMs) {
      Object.assign(entry, { served: known, source: 'stale', answerUntilMs: Math.min(this.now + TTL_MS, entry.staleUntilMs) });
    } else {
      const failsClosed = this.policy.failMode === 'closed' || this.policy.failClosedSwitches.includes(name);
      const reason = kind === 'malformed' ? 'the switch item is malformed; failing closed' : 'the switch could not be read; failing closed';
      const served = failsClosed ? { suspendedUntilMs: Infinity, reason } : { suspendedUntilMs: -Infinity };
      Object.assign(entry, { served, source: 'default', answerUntilMs: this.now + TTL_MS });
    }
    return this.answer(entry, entry.source);
  }

  private answer(entry: ModelEntry, source: SwitchSource): Answer {
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

type Outcome = SwitchState | 'invalid' | 'undeclared';

/** One read of the real store: its outcome once settled, and whether the invariant then required a suspension. */
interface RealTicket {
  outcome?: Outcome;
  mustBeSuspended?: boolean;
}

class Real {
  readonly table = new FakeSwitchTable();
  readonly logs: LogLine[] = [];
  readonly store: SwitchStore;
  /** The latest the wall clock has been: a suspension whose `until` it reached has ended, even if the clock goes back. */
  latestMs = T0;

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

  /** Starts a read; the ticket fills in when it settles, with the invariant evaluated at that moment. */
  read(name: string): RealTicket {
    const ticket: RealTicket = {};
    this.store.readSwitch(name).then(
      (state) => {
        ticket.outcome = state;
        ticket.mustBeSuspended = this.lastAnswerHoldsSuspension(name, Math.max(Date.now(), this.latestMs));
      },
      (error: unknown) => {
        if (error instanceof InvalidSwitchNameError) ticket.outcome = 'invalid';
        else if (error instanceof UndeclaredSwitchError) ticket.outcome = 'undeclared';
        else throw error;
      },
    );
    return ticket;
  }

  /**
   * Whether DynamoDB's latest well-formed answer for `name`, in the order it received the requests, was a suspension
   * still in force at `nowMs`: the invariant says such a switch reads suspended. Taken from what the table answered,
   * not from the model.
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

// ---------------------------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------------------------

/** The model and the real store side by side, with the reads that have not been compared yet. */
interface Run {
  readonly model: Model;
  readonly real: Real;
  readonly open: { readonly model: Ticket; readonly real: RealTicket }[];
}

type Command = fc.AsyncCommand<Run, Run>;

let steps = 0;
const explored = new Map<string, number>();

/** Lets every settled read reach its ticket (setImmediate is not faked: it runs after all pending promise jobs). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Moves both clocks forwards, firing the store's deadlines on the way. */
async function advance(run: Run, ms: number): Promise<void> {
  run.model.advance(ms);
  await jest.advanceTimersByTimeAsync(ms);
  run.real.latestMs = Math.max(run.real.latestMs, Date.now());
}

/** Compares every read the model has an answer for with the real one, and the counts both keep. */
async function compare(run: Run): Promise<void> {
  await flush();
  const { model, real } = run;
  for (let i = run.open.length - 1; i >= 0; i -= 1) {
    const { model: expected, real: actual } = run.open[i]!;
    if (expected.expected === undefined) {
      expect(actual.outcome).toBeUndefined();
      continue;
    }
    run.open.splice(i, 1);
    if ('rejected' in expected.expected) {
      expect(actual.outcome).toBe(expected.expected.rejected);
      continue;
    }
    expect(actual.outcome).toMatchObject({ switch: expected.name, suspended: expected.expected.suspended, source: expected.expected.source });
    expect((actual.outcome as SwitchState).reason).toBe(expected.expected.reason);
    // The invariant, checked against DynamoDB's answers rather than the model.
    if (actual.mustBeSuspended === true) expect((actual.outcome as SwitchState).suspended).toBe(true);
  }
  expect(real.table.pendingReads.map((read) => read.name)).toEqual(model.slowRequests.map((request) => request.name));
  expect(Date.now()).toBe(model.now);
  expect(real.heldWarnings).toBe(model.heldWarnings);
}

function count(what: string): void {
  steps += 1;
  explored.set(what, (explored.get(what) ?? 0) + 1);
}

/** Starts `concurrent` reads of `name` at once, in both; `up` and `refusing` answer them within the command. */
async function startReads(run: Run, name: string, concurrent: number): Promise<void> {
  const { model, real } = run;
  const before = real.table.readCount;
  let requests = 0;
  for (let i = 0; i < concurrent; i += 1) {
    const started = model.read(name);
    requests += started.requests;
    run.open.push({ model: started.ticket, real: real.read(name) });
  }
  expect(real.table.readCount - before).toBe(requests);
  model.settleInstant();
  if (requests > 0 && model.mode === 'hanging') await advance(run, DEADLINE_MS);
  await compare(run);
}

class Read implements Command {
  constructor(
    readonly name: string,
    readonly concurrent: number,
  ) {}
  check = (): boolean => true;
  async run(run: Run): Promise<void> {
    count(run.model.mode === 'slow' ? 'read started (slow)' : `read (${run.model.mode})`);
    await startReads(run, this.name, this.concurrent);
  }
  toString = (): string => `read(${this.name}${this.concurrent > 1 ? ` x${this.concurrent}` : ''})`;
}

class SettleRead implements Command {
  constructor(
    readonly index: number,
    readonly outcome: 'answered' | 'refused',
  ) {}
  check = (run: Readonly<Run>): boolean => run.model.slowRequests.length > 0;
  async run(run: Run): Promise<void> {
    count(`slow read ${this.outcome}`);
    const requests = run.model.slowRequests;
    const request = requests[this.index % requests.length]!;
    const read = run.real.table.pendingReads[this.index % requests.length]!;
    run.model.settle(request, this.outcome);
    run.real.table.settle(read, this.outcome);
    await compare(run);
  }
  toString = (): string => `settle(#${this.index}, ${this.outcome})`;
}

/** Settles every slow read, newest first or oldest first, each answered or refused by the pattern `outcomes`. */
class SettleAll implements Command {
  constructor(
    readonly newestFirst: boolean,
    readonly outcomes: readonly ('answered' | 'refused')[],
  ) {}
  check = (run: Readonly<Run>): boolean => run.model.slowRequests.length > 0;
  async run(run: Run): Promise<void> {
    count(`slow reads settled ${this.newestFirst ? 'newest' : 'oldest'} first`);
    const requests = run.model.slowRequests;
    const reads = [...run.real.table.pendingReads];
    const order = requests.map((_, i) => (this.newestFirst ? requests.length - 1 - i : i));
    for (const [k, i] of order.entries()) {
      const outcome = this.outcomes[k % this.outcomes.length]!;
      run.model.settle(requests[i]!, outcome);
      run.real.table.settle(reads[i]!, outcome);
      await compare(run);
    }
  }
  toString = (): string => `settleAll(${this.newestFirst ? 'newest' : 'oldest'} first, ${this.outcomes.join('/')})`;
}

class Flood implements Command {
  constructor(readonly count: number) {}
  check = (): boolean => true;
  async run(run: Run): Promise<void> {
    count('flood');
    for (let i = 0; i < this.count; i += 1) await startReads(run, `flood-${run.real.table.reads.length}-${i}`, 1);
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
  async run({ model, real }: Run): Promise<void> {
    count(`write ${this.stored?.kind ?? 'delete'}`);
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
  async run({ model, real }: Run): Promise<void> {
    count(`dynamo ${this.mode}`);
    model.mode = this.mode;
    real.table.mode = this.mode;
  }
  toString = (): string => `dynamo(${this.mode})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(run: Run): Promise<void> {
    if (this.ms < 0) {
      count('clock back');
      // The wall clock jumps back; timers (the read deadline) keep counting elapsed time, as in Node.
      run.model.now += this.ms;
      jest.setSystemTime(Date.now() + this.ms);
    } else {
      count('clock forward');
      await advance(run, this.ms);
    }
    await compare(run);
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
  fc.tuple(fc.nat(7), fc.constantFrom<'answered' | 'refused'>('answered', 'answered', 'refused')).map(([index, outcome]) => new SettleRead(index, outcome)),
  fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom<'answered' | 'refused'>('answered', 'answered', 'refused'), { minLength: 1, maxLength: 3 }))
    .map(([newestFirst, outcomes]) => new SettleAll(newestFirst, outcomes)),
  fc.constantFrom<FakeTableMode>('up', 'refusing', 'hanging', 'slow', 'slow').map((mode) => new SetMode(mode)),
  fc
    .oneof(
      fc.constantFrom(1, DEADLINE_MS - 1, DEADLINE_MS, TTL_MS - 1, TTL_MS, TTL_MS + MAX_STALE_MS, 60_000, -1, -TTL_MS, -60_000),
      fc.integer({ min: -20_000, max: 20_000 }),
    )
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
    explored.clear();
    await fc.assert(
      fc.asyncProperty(policies, fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }), async (policy, sequence) => {
        runs += 1;
        jest.clearAllTimers();
        jest.setSystemTime(T0);
        await fc.asyncModelRun(() => {
          const run: Run = { model: new Model(policy), real: new Real(policy), open: [] };
          return { model: run, real: run };
        }, sequence);
      }),
      { numRuns: RUNS },
    );
    const kinds = [...explored].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`).join(', ');
    console.log(`switch store model: ${runs} runs, ${steps} commands: ${kinds}`);
  });
});
