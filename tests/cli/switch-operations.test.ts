import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_REASON_LENGTH } from '../../functions/switch/schema';
import {
  getSwitch,
  listSwitches,
  resumeSwitch,
  suspendSwitch,
  SwitchConflictError,
  SwitchInputError,
  SwitchWriteUnconfirmedError,
  type SwitchTableClient,
  type SwitchWriteResult,
} from '../../functions/switch/switch-operations';
import { useDynalite } from '../support/dynalite';
import { tableSnapshot } from './cli-harness';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const now = () => NOW;
const at = (ms: number) => new Date(ms).toISOString();

const dynamo = useDynalite();

/** A table with one switch, for the cases that must leave it unchanged. */
let shared: SwitchTableClient;
beforeAll(async () => {
  shared = await dynamo.newTable();
  await suspendSwitch(shared, { name: 'global', reason: 'seeded', by: 'seed' }, { now });
});

/** The item as stored, without its history (tests/history/ covers that). */
async function stateItem(table: SwitchTableClient, name: string): Promise<Record<string, AttributeValue> | undefined> {
  const { history: _history, ...state } = (await rawItem(table, name)) ?? {};
  return state;
}

async function rawItem(table: SwitchTableClient, name: string): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: table.tableName, Key: { switch: { S: name } }, ConsistentRead: true }));
  return Item;
}

type Send = (command: unknown, forward: () => Promise<unknown>) => Promise<unknown>;

/** A document client whose requests pass through `intercept`, to stage races and lost answers. */
function interceptedTable(table: SwitchTableClient, intercept: Send): SwitchTableClient {
  const real = DynamoDBDocumentClient.from(dynamo.client);
  const client = { send: (command: never, options: never) => intercept(command, () => real.send(command, options)) };
  return { ...table, client: client as unknown as DynamoDBDocumentClient };
}

/** What an SDK request that got no answer looks like: no $fault, no HTTP status. */
function noAnswerError(): Error {
  return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

describe('switch writes', () => {
  it('creates the item at version 1 on the first suspend, recording reason, until, who and when', async () => {
    const table = await dynamo.newTable();

    const result = await suspendSwitch(table, { name: 'global', reason: 'deploy freeze', until: '2030-01-01T02:00:00Z', by: 'alice' }, { now });

    expect(result.attempts).toBe(1);
    expect(result.previous).toEqual({ kind: 'absent', name: 'global' });
    expect(result.record).toEqual({
      name: 'global',
      suspended: true,
      reason: 'deploy freeze',
      until: '2030-01-01T02:00:00.000Z',
      updatedAt: at(NOW),
      updatedBy: 'alice',
      version: 1,
    });
    expect(await stateItem(table, 'global')).toEqual({
      switch: { S: 'global' },
      suspended: { BOOL: true },
      reason: { S: 'deploy freeze' },
      until: { S: '2030-01-01T02:00:00.000Z' },
      updatedAt: { S: at(NOW) },
      updatedBy: { S: 'alice' },
      version: { N: '1' },
    });
  });

  it('moves the version by exactly one per write; resume removes until, and the reason unless one is given', async () => {
    const table = await dynamo.newTable();
    const second = (n: number) => ({ now: () => NOW + n * 1000 });

    await suspendSwitch(table, { name: 'api', reason: 'incident 42', until: new Date(NOW + 3_600_000), by: 'alice' }, second(1));
    const resumed = await resumeSwitch(table, { name: 'api', by: 'bob' }, second(2));
    const again = await suspendSwitch(table, { name: 'api', reason: 'incident 43', by: 'carol' }, second(3));
    const last = await resumeSwitch(table, { name: 'api', reason: 'fixed', by: 'dave' }, second(4));

    expect(resumed.record).toEqual({ name: 'api', suspended: false, updatedAt: at(NOW + 2000), updatedBy: 'bob', version: 2 });
    expect(again.record).toEqual({ name: 'api', suspended: true, reason: 'incident 43', updatedAt: at(NOW + 3000), updatedBy: 'carol', version: 3 });
    expect(last.previous).toEqual({ kind: 'record', name: 'api', record: again.record, warnings: [] });
    expect(await stateItem(table, 'api')).toEqual({
      switch: { S: 'api' },
      suspended: { BOOL: false },
      reason: { S: 'fixed' },
      updatedAt: { S: at(NOW + 4000) },
      updatedBy: { S: 'dave' },
      version: { N: '4' },
    });
  });

  it('keeps attributes it does not own, and takes over an item that has no version at version 1', async () => {
    const table = await dynamo.newTable();
    await dynamo.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { switch: { S: 'legacy' }, suspended: { BOOL: true }, owner: { S: 'team-a' } } }),
    );

    const result = await resumeSwitch(table, { name: 'legacy', by: 'alice' }, { now });

    expect(result.previous).toEqual({ kind: 'record', name: 'legacy', record: { name: 'legacy', suspended: true, version: 0 }, warnings: [] });
    expect(await stateItem(table, 'legacy')).toEqual({
      switch: { S: 'legacy' },
      suspended: { BOOL: false },
      owner: { S: 'team-a' },
      updatedAt: { S: at(NOW) },
      updatedBy: { S: 'alice' },
      version: { N: '1' },
    });
  });

  it('overwrites an unreadable item with a malformed version, conditional on that exact stored value', async () => {
    const table = await dynamo.newTable();
    await dynamo.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { switch: { S: 'odd' }, suspended: { S: 'yes' }, version: { S: 'seven' } } }),
    );

    expect(await getSwitch(table, 'odd')).toEqual({ kind: 'unreadable', name: 'odd', problem: 'attribute "suspended" is a string, expected a boolean' });
    const result = await suspendSwitch(table, { name: 'odd', reason: 'cleanup', by: 'alice' }, { now });

    expect(result.record.version).toBe(1);
    expect(await stateItem(table, 'odd')).toEqual({
      switch: { S: 'odd' },
      suspended: { BOOL: true },
      reason: { S: 'cleanup' },
      updatedAt: { S: at(NOW) },
      updatedBy: { S: 'alice' },
      version: { N: '1' },
    });
  });

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    ['an invalid name', () => suspendSwitch(shared, { name: 'bad name', reason: 'x', by: 'a' }, { now }), 'name', /^invalid switch name "bad name": use 1-64 characters/],
    ['a name of 65 characters', () => resumeSwitch(shared, { name: 'a'.repeat(65), by: 'a' }), 'name', /^invalid switch name/],
    ['an empty reason', () => suspendSwitch(shared, { name: 'global', reason: ' ', by: 'a' }, { now }), 'reason', /^reason must not be empty$/],
    [
      `a reason of ${MAX_REASON_LENGTH + 1} characters`,
      () => suspendSwitch(shared, { name: 'global', reason: 'é'.repeat(MAX_REASON_LENGTH + 1), by: 'a' }, { now }),
      'reason',
      /^reason is 501 characters long; the limit is 500$/,
    ],
    ['a reason with a newline', () => resumeSwitch(shared, { name: 'global', reason: 'a\nb', by: 'a' }), 'reason', /^reason must be one line of printable text/],
    ['a reason with an Arabic letter mark', () => suspendSwitch(shared, { name: 'global', reason: 'a\u061cb', by: 'a' }, { now }), 'reason', /^reason must be one line of printable text/],
    ['a reason with a left-to-right mark', () => suspendSwitch(shared, { name: 'global', reason: 'a\u200eb', by: 'a' }, { now }), 'reason', /^reason must be one line of printable text/],
    ['an operator with a right-to-left mark', () => resumeSwitch(shared, { name: 'global', by: 'a\u200fb' }), 'by', /^operator \(updatedBy\) must be one line of printable text/],
    ['an until in the past', () => suspendSwitch(shared, { name: 'global', reason: 'x', until: '2029-12-31T23:59:59Z', by: 'a' }, { now }), 'until', /^until 2029-12-31T23:59:59.000Z is not in the future \(now 2030-01-01T00:00:00.000Z\)$/],
    ['an until of now', () => suspendSwitch(shared, { name: 'global', reason: 'x', until: new Date(NOW), by: 'a' }, { now }), 'until', /is not in the future/],
    ['an until without a zone', () => suspendSwitch(shared, { name: 'global', reason: 'x', until: '2031-01-01T00:00:00', by: 'a' }, { now }), 'until', /^until must be an ISO 8601 UTC time/],
    ['an until on February 30th', () => suspendSwitch(shared, { name: 'global', reason: 'x', until: '2031-02-30T00:00:00Z', by: 'a' }, { now }), 'until', /^until must be an ISO 8601 UTC time/],
    ['an empty operator', () => resumeSwitch(shared, { name: 'global', by: '' }), 'by', /^operator \(updatedBy\) must not be empty$/],
    ['a negative expected version', () => resumeSwitch(shared, { name: 'global', by: 'a', expectedVersion: -1 }), 'expectedVersion', /^expected version must be a whole number/],
  ])('refuses %s with a SwitchInputError and writes nothing', async (_case, write, field, message) => {
    const before = await tableSnapshot(dynamo.client, shared.tableName);

    const error = await write().then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(SwitchInputError);
    expect((error as SwitchInputError).field).toBe(field);
    expect((error as SwitchInputError).message).toMatch(message);
    expect(await tableSnapshot(dynamo.client, shared.tableName)).toEqual(before);
  });

  it('writes only at the expected version when one is given, else fails with a conflict and writes nothing', async () => {
    const table = await dynamo.newTable();
    await suspendSwitch(table, { name: 'global', reason: 'one', by: 'alice' }, { now });

    const stale = await resumeSwitch(table, { name: 'global', by: 'bob', expectedVersion: 0 }, { now }).catch((e: unknown) => e);
    const fresh = await resumeSwitch(table, { name: 'global', by: 'bob', expectedVersion: 1 }, { now });

    expect(stale).toBeInstanceOf(SwitchConflictError);
    expect((stale as Error).message).toBe('switch "global" is at version 1, not the expected 0; nothing written');
    expect(fresh.record.version).toBe(2);
  });

  it('re-applies a write on the fresh state when another writer got in between its read and its write', async () => {
    const table = await dynamo.newTable();
    let raced = false;
    const racing = interceptedTable(table, async (command, forward) => {
      if (command instanceof UpdateCommand && !raced) {
        raced = true;
        await suspendSwitch(table, { name: 'global', reason: 'bob was first', by: 'bob' }, { now });
      }
      return forward();
    });

    const result = await resumeSwitch(racing, { name: 'global', by: 'alice' }, { now });

    expect(result.attempts).toBe(2);
    expect(result.record).toEqual({ name: 'global', suspended: false, updatedAt: at(NOW), updatedBy: 'alice', version: 2 });
    expect(result.previous).toMatchObject({ kind: 'record', record: { updatedBy: 'bob', version: 1 } });
  });

  it('gives up with a conflict after maxAttempts when the version keeps moving, losing none of the other writes', async () => {
    const table = await dynamo.newTable();
    let others = 0;
    const busy = interceptedTable(table, async (command, forward) => {
      if (command instanceof UpdateCommand) await resumeSwitch(table, { name: 'global', by: `other-${++others}` }, { now });
      return forward();
    });

    const error = await suspendSwitch(busy, { name: 'global', reason: 'x', by: 'alice' }, { now, maxAttempts: 3 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SwitchConflictError);
    expect(error).toMatchObject({ switchName: 'global', attempts: 3, actualVersion: 3 });
    expect(await getSwitch(table, 'global')).toMatchObject({ record: { suspended: false, updatedBy: 'other-3', version: 3 } });
  });

  it('counts a write as done once when its answer was lost and the SDK retry meets its own write', async () => {
    const table = await dynamo.newTable();
    let updates = 0;
    const lossy = interceptedTable(table, async (command, forward) => {
      if (command instanceof UpdateCommand && ++updates === 1) {
        await forward(); // lands, but its answer is lost...
        return forward(); // ...so the SDK sends it again, and the condition fails against our own write
      }
      return forward();
    });

    const result = await suspendSwitch(lossy, { name: 'global', reason: 'x', by: 'alice' }, { now });

    expect(result.record.version).toBe(1);
    expect((await rawItem(table, 'global'))?.version).toEqual({ N: '1' });
  });

  it('reads back a write that got no answer, and reports it done when it landed', async () => {
    const table = await dynamo.newTable();
    const lossy = interceptedTable(table, async (command, forward) => {
      if (command instanceof UpdateCommand) {
        await forward();
        throw noAnswerError();
      }
      return forward();
    });

    const result = await suspendSwitch(lossy, { name: 'global', reason: 'x', by: 'alice' }, { now });

    expect(result.record).toMatchObject({ suspended: true, version: 1 });
  });

  it('reports a write as unconfirmed when neither it nor the read-back get an answer', async () => {
    const table = await dynamo.newTable();
    let gets = 0;
    const down = interceptedTable(table, async (command, forward) => {
      if (command instanceof UpdateCommand || (command instanceof GetCommand && ++gets > 1)) throw noAnswerError();
      return forward();
    });

    const error = await suspendSwitch(down, { name: 'global', reason: 'x', by: 'alice' }, { now }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SwitchWriteUnconfirmedError);
    expect((error as Error).message).toBe(
      'could not confirm whether the write to switch "global" was applied (TimeoutError: socket hang up); check its status',
    );
  });

  it('passes a service refusal through untouched, without a read-back', async () => {
    const error = await suspendSwitch({ client: dynamo.client, tableName: 'no-such-table' }, { name: 'global', reason: 'x', by: 'a' }, { now }).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('lists every switch across Scan pages, sorted by name, unreadable items included', async () => {
    const table = await dynamo.newTable();
    const names = Array.from({ length: 23 }, (_, i) => `switch-${String(i).padStart(2, '0')}`).reverse();
    for (const name of names) await suspendSwitch(table, { name, reason: 'x', by: 'alice' }, { now });
    await dynamo.client.send(new PutItemCommand({ TableName: table.tableName, Item: { switch: { S: 'zz-broken' }, version: { N: '3' } } }));
    let pages = 0;
    const paged = interceptedTable(table, (command, forward) => {
      if (command instanceof ScanCommand) {
        pages++;
        Object.assign(command.input, { Limit: 5 });
      }
      return forward();
    });

    const listed = await listSwitches(paged);

    expect(pages).toBe(5);
    expect(listed.map((s) => s.name)).toEqual([...names].sort().concat('zz-broken'));
    expect(listed.at(-1)).toEqual({ kind: 'unreadable', name: 'zz-broken', problem: 'attribute "suspended" is missing, expected a boolean' });
  });

  it('never loses an update under many concurrent writers: the version equals the writes that reported success', async () => {
    const table = await dynamo.newTable();
    const writers = 40;

    const outcomes = await Promise.allSettled(
      Array.from({ length: writers }, (_, i) =>
        i % 2 === 0
          ? suspendSwitch(table, { name: 'global', reason: `writer ${i}`, by: `writer-${i}` })
          : resumeSwitch(table, { name: 'global', by: `writer-${i}` }),
      ),
    );

    const succeeded = outcomes.filter((o): o is PromiseFulfilledResult<SwitchWriteResult> => o.status === 'fulfilled').map((o) => o.value);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
    expect(failed.every((error) => error instanceof SwitchConflictError)).toBe(true);
    expect(succeeded.length).toBeGreaterThan(0);
    // Each success owns one version, and together they are 1..N: no write overwrote another unseen.
    const versions = succeeded.map((r) => r.record.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: succeeded.length }, (_, i) => i + 1));
    const final = await getSwitch(table, 'global');
    expect(final).toMatchObject({ kind: 'record', record: { version: succeeded.length } });
    const last = succeeded.find((r) => r.record.version === succeeded.length);
    expect(final.kind === 'record' && final.record).toEqual(last?.record);
  });
});
