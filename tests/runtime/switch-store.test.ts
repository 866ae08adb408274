import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../functions/switch/dynamo-client';
import type { SwitchSettings } from '../../functions/switch/schema';
import type { LogLine } from '../../functions/switch/structured-log';
import { InvalidSwitchNameError, SwitchStore, UndeclaredSwitchError } from '../../functions/switch/switch-store';
import { FakeSwitchTable } from './fake-switch-table';
import { LOCAL_CREDENTIALS, startDynamo, useDynalite } from '../support/dynalite';
import { countRequests, putRawSwitchItem, switchAttributes } from '../support/switch-items';

const TABLE = 'switches';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** A clock that moves only when told: TTL, staleness and `until` are tested without sleeping. */
class ManualClock {
  constructor(private ms: number) {}
  readonly now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

interface Harness {
  readonly store: SwitchStore;
  readonly clock: ManualClock;
  readonly requests: ReturnType<typeof countRequests>;
  readonly logs: LogLine[];
}

const clients: DynamoDBClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function storeAt(endpoint: string, settings: Partial<SwitchSettings> = {}, maxCachedSwitches?: number): Harness {
  const client = createDynamoClient({
    requestTimeoutMs: settings.requestTimeoutMs ?? 500,
    maxAttempts: settings.maxAttempts ?? 2,
    sdk: { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS },
  });
  clients.push(client);
  const clock = new ManualClock(T0);
  const logs: LogLine[] = [];
  const store = new SwitchStore({
    tableName: TABLE,
    client,
    clock: clock.now,
    log: (line) => logs.push(line),
    settings: { cacheTtlSeconds: 5, maxStaleSeconds: 60, failMode: 'open', ...settings },
    ...(maxCachedSwitches !== undefined ? { maxCachedSwitches } : {}),
  });
  return { store, clock, requests: countRequests(client), logs };
}

describe('switch store', () => {
  const dynamo = useDynalite({ table: TABLE });

  it('reads an active switch fresh, then from memory until the TTL passes', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'active-one', switchAttributes({ suspended: false, version: 3 }));
    const { store, clock, requests } = storeAt(dynamo.endpoint);

    const first = await store.readSwitch('active-one');
    clock.advanceSeconds(4.999);
    const second = await store.readSwitch('active-one');
    clock.advanceSeconds(0.001);
    const third = await store.readSwitch('active-one');

    expect(first).toEqual({
      switch: 'active-one',
      suspended: false,
      source: 'fresh',
      record: { name: 'active-one', suspended: false, version: 3, updatedAt: '2030-01-01T00:00:00.000Z', updatedBy: 'test' },
    });
    expect(second).toMatchObject({ switch: 'active-one', suspended: false, source: 'cached' });
    expect(third).toMatchObject({ switch: 'active-one', suspended: false, source: 'fresh' });
    expect(requests.operations).toEqual(['GetItemCommand', 'GetItemCommand']);
  });

  it('reads a switch without an item as active, and caches that too', async () => {
    const { store, requests } = storeAt(dynamo.endpoint);

    const first = await store.readSwitch('never-written');
    const second = await store.readSwitch('never-written');

    expect(first).toEqual({ switch: 'never-written', suspended: false, source: 'fresh' });
    expect(second).toEqual({ switch: 'never-written', suspended: false, source: 'cached' });
    expect(requests.count()).toBe(1);
  });

  it('reads a suspended switch with its reason and until', async () => {
    const until = iso(T0 + 600_000);
    await putRawSwitchItem(dynamo.client, TABLE, 'held', switchAttributes({ suspended: true, reason: 'database migration', until }));
    const { store } = storeAt(dynamo.endpoint);

    const state = await store.readSwitch('held');

    expect(state).toMatchObject({ switch: 'held', suspended: true, reason: 'database migration', until, untilMs: T0 + 600_000, source: 'fresh' });
  });

  it('reads a suspension without until as suspended indefinitely', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'held-forever', switchAttributes({ suspended: true, reason: 'incident 42' }));
    const { store, clock } = storeAt(dynamo.endpoint, { cacheTtlSeconds: 3600 });

    await store.readSwitch('held-forever');
    clock.advanceSeconds(3000);
    const state = await store.readSwitch('held-forever');

    expect(state).toEqual(expect.objectContaining({ suspended: true, reason: 'incident 42', source: 'cached' }));
    expect(state).not.toHaveProperty('until');
  });

  it('ends a cached suspension when its until passes, without asking DynamoDB again', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'held-briefly', switchAttributes({ suspended: true, reason: 'deploy', until: iso(T0 + 2_000) }));
    const { store, clock, requests } = storeAt(dynamo.endpoint);

    const before = await store.readSwitch('held-briefly');
    clock.advanceSeconds(1.999);
    const justBefore = await store.readSwitch('held-briefly');
    clock.advanceSeconds(0.001);
    const after = await store.readSwitch('held-briefly');

    expect(before).toMatchObject({ suspended: true, source: 'fresh' });
    expect(justBefore).toMatchObject({ suspended: true, source: 'cached' });
    expect(after).toEqual({
      switch: 'held-briefly',
      suspended: false,
      source: 'cached',
      record: expect.objectContaining({ suspended: true, until: iso(T0 + 2_000) }),
    });
    expect(requests.count()).toBe(1);
  });

  it('reads a suspension whose until has already passed as active', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'held-earlier', switchAttributes({ suspended: true, reason: 'old', until: iso(T0 - 1) }));
    const { store } = storeAt(dynamo.endpoint);

    expect(await store.readSwitch('held-earlier')).toMatchObject({ suspended: false, source: 'fresh' });
  });

  it('sees a change made in DynamoDB once the TTL has passed', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'toggled', switchAttributes({ suspended: false }));
    const { store, clock } = storeAt(dynamo.endpoint);
    await store.readSwitch('toggled');

    await putRawSwitchItem(dynamo.client, TABLE, 'toggled', switchAttributes({ suspended: true, reason: 'now', version: 2 }));
    const withinTtl = await store.readSwitch('toggled');
    clock.advanceSeconds(5);
    const afterTtl = await store.readSwitch('toggled');

    expect(withinTtl).toMatchObject({ suspended: false, source: 'cached' });
    expect(afterTtl).toMatchObject({ suspended: true, reason: 'now', source: 'fresh' });
  });

  it('sends one request for many concurrent reads of the same switch', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'busy', switchAttributes({ suspended: true, reason: 'load' }));
    const { store, requests } = storeAt(dynamo.endpoint);

    const states = await Promise.all(Array.from({ length: 25 }, () => store.readSwitch('busy')));

    expect(requests.count()).toBe(1);
    expect(new Set(states.map((state) => `${state.suspended}/${state.source}`))).toEqual(new Set(['true/fresh']));
  });

  it('reads each switch separately: concurrent reads of different switches do not share', async () => {
    const { store, requests } = storeAt(dynamo.endpoint);

    const [a, b] = await Promise.all([store.readSwitch('left'), store.readSwitch('right')]);

    expect([a.switch, b.switch]).toEqual(['left', 'right']);
    expect(requests.count()).toBe(2);
  });

  it.each([[''], ['has space'], ['x'.repeat(65)], ['slash/name'], ['ünïcode']])(
    'rejects the invalid switch name %j without a request',
    async (name) => {
      const { store, requests } = storeAt(dynamo.endpoint);

      await expect(store.readSwitch(name)).rejects.toBeInstanceOf(InvalidSwitchNameError);
      expect(requests.count()).toBe(0);
    },
  );

  it('keeps at most maxCachedSwitches switches in memory, dropping the one refreshed longest ago', async () => {
    const { store, requests } = storeAt(dynamo.endpoint, {}, 3);

    for (const name of ['s1', 's2', 's3', 's4', 's5']) await store.readSwitch(name);
    const countAfterFive = requests.count();
    await store.readSwitch('s5');
    await store.readSwitch('s1');

    expect(store.cachedSwitchCount).toBe(3);
    expect(countAfterFive).toBe(5);
    // s5 is still cached, s1 was dropped and costs a new request.
    expect(requests.count()).toBe(6);
  });
});

describe('switch store when DynamoDB fails', () => {
  /** A store that has read `name` once from a DynamoDB that is gone now. */
  async function storeThatLostDynamo(name: string, attributes: Record<string, AttributeValue>, settings: Partial<SwitchSettings>): Promise<Harness> {
    const dynamo = await startDynamo();
    await dynamo.createSwitchTable(TABLE);
    await putRawSwitchItem(dynamo.client, TABLE, name, attributes);
    const harness = storeAt(dynamo.endpoint, settings);
    await harness.store.readSwitch(name);
    await dynamo.stop();
    return harness;
  }

  it('holds a suspension however long DynamoDB fails, warning once per TTL past the staleness bound', async () => {
    const item = switchAttributes({ suspended: true, reason: 'maintenance' });
    const { store, clock, requests, logs } = await storeThatLostDynamo('held', item, { cacheTtlSeconds: 5, maxStaleSeconds: 60, failMode: 'open' });

    clock.advanceSeconds(5);
    const stale = await store.readSwitch('held');
    const requestsAfterFailure = requests.count();
    clock.advanceSeconds(4);
    const staleFromMemory = await store.readSwitch('held');
    const requestsWhileStale = requests.count();
    clock.advanceSeconds(56); // 65 s after the read: 60 s past its expiry, the staleness bound.
    const pastTheBound = await store.readSwitch('held');
    clock.advanceSeconds(3600);
    const anHourLater = await store.readSwitch('held');

    const suspended = { switch: 'held', suspended: true, reason: 'maintenance', source: 'stale' };
    expect(stale).toMatchObject(suspended);
    expect(staleFromMemory).toMatchObject(suspended);
    // The failed read is not retried on every call: the next request waits one TTL.
    expect(requestsWhileStale).toBe(requestsAfterFailure);
    expect(pastTheBound).toMatchObject(suspended);
    expect(anHourLater).toMatchObject(suspended);
    const failed = expect.objectContaining({ level: 'warn', msg: 'switch read failed', switch: 'held', source: 'stale', suspended: true });
    const held = (staleSeconds: number) =>
      ({ level: 'warn', msg: 'suspension held past the staleness bound', switch: 'held', lastReadAt: iso(T0), staleSeconds });
    expect(logs).toEqual([failed, failed, held(65), failed, held(3665)]);
  });

  it('serves a switch last read active as stale up to maxStaleSeconds past expiry, then the fail mode default', async () => {
    const item = switchAttributes({ suspended: false });
    const { store, clock, logs } = await storeThatLostDynamo('running', item, { cacheTtlSeconds: 5, maxStaleSeconds: 60, failMode: 'closed' });

    clock.advanceSeconds(5);
    const stale = await store.readSwitch('running');
    clock.advanceSeconds(59.999);
    const lastStale = await store.readSwitch('running');
    clock.advanceSeconds(0.001);
    const pastTheBound = await store.readSwitch('running');

    expect(stale).toMatchObject({ switch: 'running', suspended: false, source: 'stale' });
    expect(lastStale).toMatchObject({ switch: 'running', suspended: false, source: 'stale' });
    expect(pastTheBound).toEqual({ switch: 'running', suspended: true, reason: 'the switch could not be read; failing closed', source: 'default' });
    expect(logs.map((line) => [line.msg, line.source])).toEqual([
      ['switch read failed', 'stale'],
      ['switch read failed', 'stale'],
      ['switch read failed', 'default'],
    ]);
  });

  it('lifts a held suspension when its own until passes, and then applies the fail policy past the bound', async () => {
    const item = switchAttributes({ suspended: true, reason: 'deploy', until: iso(T0 + 120_000) });
    const { store, clock } = await storeThatLostDynamo('window', item, { cacheTtlSeconds: 5, maxStaleSeconds: 60, failMode: 'open' });

    clock.advanceSeconds(119.999);
    const before = await store.readSwitch('window');
    clock.advanceSeconds(0.001);
    const atUntil = await store.readSwitch('window');
    clock.advanceSeconds(5);
    const nextFailure = await store.readSwitch('window');

    expect(before).toMatchObject({ suspended: true, source: 'stale', until: iso(T0 + 120_000) });
    expect(atUntil).toMatchObject({ suspended: false, source: 'stale' });
    // 125 s after the last read, past its 65 s staleness bound: nothing usable is known, the fail mode answers.
    expect(nextFailure).toEqual({ switch: 'window', suspended: false, source: 'default' });
  });

  it('answers suspended when failing closed and nothing is known', async () => {
    const closedPort = await unusedPort();
    const { store } = storeAt(`http://127.0.0.1:${closedPort}`, { failMode: 'closed' });

    const state = await store.readSwitch('payments');

    expect(state).toEqual({ switch: 'payments', suspended: true, reason: 'the switch could not be read; failing closed', source: 'default' });
  });

  it('answers active when failing open and nothing is known', async () => {
    const closedPort = await unusedPort();
    const { store, logs } = storeAt(`http://127.0.0.1:${closedPort}`, { failMode: 'open' });

    const state = await store.readSwitch('payments');

    expect(state).toEqual({ switch: 'payments', suspended: false, source: 'default' });
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'switch read failed', error: expect.stringContaining('ECONNREFUSED') })]);
  });

  it('asks again one TTL after a failure and returns fresh state once DynamoDB is back', async () => {
    const first = await startDynamo();
    const port = first.port;
    await first.stop();
    const { store, clock, requests } = storeAt(`http://127.0.0.1:${port}`, { failMode: 'closed' });
    const during = await store.readSwitch('recovering');
    const afterFailure = requests.count();

    const healed = await startDynamo(port);
    try {
      await healed.createSwitchTable(TABLE);
      await putRawSwitchItem(healed.client, TABLE, 'recovering', switchAttributes({ suspended: false }));
      const withinTtl = await store.readSwitch('recovering');
      clock.advanceSeconds(5);
      const afterTtl = await store.readSwitch('recovering');

      expect(during).toMatchObject({ suspended: true, source: 'default' });
      expect(withinTtl).toMatchObject({ suspended: true, source: 'default' });
      expect(requests.count()).toBe(afterFailure + 1);
      expect(afterTtl).toMatchObject({ suspended: false, source: 'fresh' });
    } finally {
      await healed.stop();
    }
  });

  it('gives up within its deadline when DynamoDB accepts connections but never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      // Two attempts of 100 ms plus a 100 ms pause: a 300 ms deadline.
      const { store, requests } = storeAt(`http://127.0.0.1:${port}`, { requestTimeoutMs: 100, maxAttempts: 2, failMode: 'closed' });

      const startedAt = performance.now();
      const state = await store.readSwitch('hung');
      const elapsedMs = performance.now() - startedAt;

      expect(state).toMatchObject({ suspended: true, source: 'default' });
      // Two attempts on a quiet machine; on a crowded one the deadline can pass during the first. The exact attempts
      // and deadline are proved on fake timers in tests/hardening/read-deadline.test.ts.
      expect(requests.count()).toBeGreaterThanOrEqual(1);
      expect(requests.count()).toBeLessThanOrEqual(2);
      expect(elapsedMs).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('switch store with malformed items', () => {
  const dynamo = useDynalite({ table: TABLE });

  it.each([
    ['open', { suspended: false }],
    ['closed', { suspended: true, reason: 'the switch item is malformed; failing closed' }],
  ] as const)('reads an item whose suspended flag is not a boolean as the %s default, and logs why', async (failMode, expected) => {
    const name = `not-boolean-${failMode}`;
    await putRawSwitchItem(dynamo.client, TABLE, name, { suspended: { S: 'yes' }, reason: { S: 'typed by hand' } });
    const { store, logs } = storeAt(dynamo.endpoint, { failMode });

    const fresh = await store.readSwitch(name);
    const cached = await store.readSwitch(name);

    expect(fresh).toEqual({ switch: name, ...expected, source: 'default' });
    expect(cached).toEqual(fresh);
    expect(logs).toEqual([
      {
        level: 'warn',
        msg: 'switch item is malformed',
        switch: name,
        problem: 'attribute "suspended" is a string, expected a boolean',
        source: 'default',
        suspended: failMode === 'closed',
      },
    ]);
  });

  it('reads an item without a suspended flag as the fail mode default', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'flagless', { reason: { S: 'half written' } });
    const { store, logs } = storeAt(dynamo.endpoint, { failMode: 'open' });

    expect(await store.readSwitch('flagless')).toEqual({ switch: 'flagless', suspended: false, source: 'default' });
    expect(logs).toEqual([expect.objectContaining({ msg: 'switch item is malformed', problem: 'attribute "suspended" is missing, expected a boolean' })]);
  });

  it('ignores optional attributes of the wrong type, with a warning, and keeps the flag', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'odd-types', {
      suspended: { BOOL: true },
      reason: { N: '42' },
      updatedBy: { L: [{ S: 'a' }] },
      version: { S: 'seven' },
    });
    const { store, logs } = storeAt(dynamo.endpoint);

    const state = await store.readSwitch('odd-types');

    expect(state).toEqual({ switch: 'odd-types', suspended: true, source: 'fresh', record: { name: 'odd-types', suspended: true, version: 0 } });
    expect(logs).toEqual([
      {
        level: 'warn',
        msg: 'switch item has unusable attributes',
        switch: 'odd-types',
        warnings: [
          'attribute "version" is a string, expected a whole number; read as 0',
          'attribute "reason" is a number, expected a string; ignored',
          'attribute "updatedBy" is a list, expected a string; ignored',
        ],
      },
    ]);
  });

  it('keeps a suspension whose until cannot be read in force', async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'bad-until', { suspended: { BOOL: true }, reason: { S: 'r' }, until: { S: 'tomorrow' } });
    const { store, clock } = storeAt(dynamo.endpoint, { cacheTtlSeconds: 3600 });

    await store.readSwitch('bad-until');
    clock.advanceSeconds(3000);
    const state = await store.readSwitch('bad-until');

    expect(state).toMatchObject({ suspended: true, reason: 'r', source: 'cached' });
    expect(state).not.toHaveProperty('until');
  });
});

describe('switch store policy per switch', () => {
  /** A store over the in-memory table, for reads by the thousand in simulated time. */
  function fakeStore(settings: Partial<SwitchSettings>, maxCachedSwitches?: number) {
    const table = new FakeSwitchTable();
    const clock = new ManualClock(T0);
    const logs: LogLine[] = [];
    const store = new SwitchStore({
      tableName: TABLE,
      client: table.client,
      clock: clock.now,
      log: (line) => logs.push(line),
      settings: { cacheTtlSeconds: 5, maxStaleSeconds: 60, ...settings },
      ...(maxCachedSwitches !== undefined ? { maxCachedSwitches } : {}),
    });
    return { store, table, clock, logs };
  }

  it('answers a fail-closed switch suspended when nothing is known and DynamoDB fails, others by the fail mode', async () => {
    const { store, table } = fakeStore({ failMode: 'open', failClosedSwitches: ['payments'] });
    table.mode = 'refusing';

    const payments = await store.readSwitch('payments');
    const orders = await store.readSwitch('orders');

    expect(payments).toEqual({ switch: 'payments', suspended: true, reason: 'the switch could not be read; failing closed', source: 'default' });
    expect(orders).toEqual({ switch: 'orders', suspended: false, source: 'default' });
  });

  it('refuses a name outside the declared switches without a read or a cache entry', async () => {
    const { store, table } = fakeStore({ switches: ['global', 'orders'] });

    await expect(store.readSwitch('reports')).rejects.toEqual(new UndeclaredSwitchError('reports'));
    await expect(store.readSwitch('orders')).resolves.toMatchObject({ switch: 'orders', source: 'fresh' });
    for (let i = 0; i < 1500; i += 1) await expect(store.readSwitch(`flood-${i}`)).rejects.toBeInstanceOf(UndeclaredSwitchError);

    expect(table.reads.map((read) => read.name)).toEqual(['orders']);
    expect(store.cachedSwitchCount).toBe(1);
  });

  it.each([
    [{ switches: ['orders'] }, 'settings.switches must include the default switch "global"'],
    [{ switches: ['global'], failClosedSwitches: ['payments'] }, 'settings.switches must include every fail-closed switch (missing "payments")'],
    [{ switches: [] }, 'settings.switches must be a list of at least one switch names (each matching /^[A-Za-z0-9._-]{1,64}$/), got []'],
    [{ failClosedSwitches: ['a b'] }, 'settings.failClosedSwitches must be a list of switch names (each matching /^[A-Za-z0-9._-]{1,64}$/), got ["a b"]'],
    [{ failClosedSwitches: ['x', 'x'] }, 'settings.failClosedSwitches must not name a switch twice, got ["x","x"]'],
  ] as const)('refuses settings %j', (settings, message) => {
    expect(() => fakeStore(settings as Partial<SwitchSettings>)).toThrow(message);
  });

  it('keeps a switch read suspended through a flood of 1,500 names in one TTL, and holds it when DynamoDB then fails', async () => {
    const { store, table, clock } = fakeStore({ failMode: 'open' });
    table.items.set('orders', { suspended: { BOOL: true }, reason: { S: 'incident 7' } });
    await store.readSwitch('orders');

    for (let i = 0; i < 1500; i += 1) await store.readSwitch(`name-${i}`);
    table.mode = 'refusing';
    clock.advanceSeconds(5);
    const afterFlood = await store.readSwitch('orders');

    expect(store.cachedSwitchCount).toBe(1000);
    expect(afterFlood).toMatchObject({ switch: 'orders', suspended: true, reason: 'incident 7', source: 'stale' });
    expect(table.reads.filter((read) => read.name === 'orders').map((read) => read.outcome)).toEqual(['answered', 'refused']);
  });

  it('evicts an entry last read suspended once its until has passed', async () => {
    const { store, table, clock } = fakeStore({}, 2);
    table.items.set('brief', { suspended: { BOOL: true }, until: { S: iso(T0 + 1000) } });
    await store.readSwitch('brief');
    clock.advanceSeconds(1);

    await store.readSwitch('a');
    await store.readSwitch('b');
    await store.readSwitch('brief');

    expect(table.reads.map((read) => read.name)).toEqual(['brief', 'a', 'b', 'brief']);
  });

  it('never evicts a switch whose read is in flight, so that read cannot overwrite a newer suspension', async () => {
    const { store, table, clock } = fakeStore({}, 2);
    table.mode = 'slow';
    const first = store.readSwitch('orders'); // R1, asked while orders has no item: active
    const [r1] = table.pendingReads;
    table.mode = 'up';
    await store.readSwitch('a');
    await store.readSwitch('b'); // the cache is full: a goes, not orders
    table.items.set('orders', { suspended: { BOOL: true }, reason: { S: 'incident 7' } });

    const second = store.readSwitch('orders'); // joins R1 rather than asking again and learning of the suspension
    table.settle(r1!);
    const answers = [await first, await second, await store.readSwitch('orders')];
    clock.advanceSeconds(5);
    answers.push(await store.readSwitch('orders'), await store.readSwitch('orders'));

    expect(answers.map((state) => [state.suspended, state.source])).toEqual([
      [false, 'fresh'],
      [false, 'fresh'],
      [false, 'cached'],
      [true, 'fresh'],
      [true, 'cached'],
    ]);
    expect(table.reads.map((read) => read.name)).toEqual(['orders', 'a', 'b', 'orders']);
  });

  it('holds a suspension when the item turns malformed, and logs the item problem', async () => {
    const { store, table, clock, logs } = fakeStore({ failMode: 'open' });
    table.items.set('orders', { suspended: { BOOL: true }, reason: { S: 'incident 7' } });
    await store.readSwitch('orders');
    table.items.set('orders', { suspended: { S: 'no' } });
    clock.advanceSeconds(5);

    const state = await store.readSwitch('orders');

    expect(state).toMatchObject({ suspended: true, reason: 'incident 7', source: 'stale' });
    expect(logs).toEqual([{ level: 'warn', msg: 'switch item is malformed', switch: 'orders', source: 'stale', suspended: true, problem: 'attribute "suspended" is a string, expected a boolean' }]);
  });

  it('lifts a suspension at the first successful read that says active', async () => {
    const { store, table, clock } = fakeStore({});
    table.items.set('orders', { suspended: { BOOL: true }, reason: { S: 'incident 7' } });
    await store.readSwitch('orders');
    table.mode = 'refusing';
    clock.advanceSeconds(500);
    await store.readSwitch('orders');
    table.mode = 'up';
    table.items.set('orders', { suspended: { BOOL: false } });
    clock.advanceSeconds(5);

    expect(await store.readSwitch('orders')).toMatchObject({ suspended: false, source: 'fresh' });
  });

  it('cuts a reason longer than the write limit to 500 characters', async () => {
    const { store, table, logs } = fakeStore({});
    table.items.set('huge', { suspended: { BOOL: true }, reason: { S: '😀'.repeat(350_000 / 4) } });

    const state = await store.readSwitch('huge');

    expect([...state.reason!]).toHaveLength(500);
    expect(state.reason!.endsWith('😀…')).toBe(true);
    expect(logs).toEqual([expect.objectContaining({ msg: 'switch item has unusable attributes', warnings: ['attribute "reason" is 87500 characters long; cut to 500'] })]);
  });
});

/** A loopback port with nothing listening: connections to it are refused at once. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
