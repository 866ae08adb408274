import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_HISTORY_ENTRIES, MAX_REASON_LENGTH } from '../../functions/switch/schema';
import { MAX_OPERATOR_LENGTH } from '../../functions/switch/switch-input';
import { SwitchStore } from '../../functions/switch/switch-store';
import { changeSwitch, getSwitchHistory, resumeSwitch, suspendSwitch, type HistoryEntry, type SwitchTableClient } from '../../functions/switch/switch-operations';
import { LOCAL_CREDENTIALS, useDynalite } from '../support/dynalite';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();
const clockAt = (ms: number) => ({ now: () => ms });

const dynamo = useDynalite();

async function rawItem(table: SwitchTableClient, name: string): Promise<Record<string, AttributeValue>> {
  const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: table.tableName, Key: { switch: { S: name } }, ConsistentRead: true }));
  if (!Item) throw new Error(`no item for ${name}`);
  return Item;
}

/**
 * An item's size as DynamoDB counts it against the 400 KB limit (Developer Guide, "Item sizes and formats"):
 * attribute names and strings in UTF-8 bytes, a number 1 byte per two significant digits plus 1, a boolean 1, a
 * list or map 3 bytes plus its elements plus 1 byte per element. (dynalite counts strings in UTF-16 units, so it
 * cannot be asked.)
 */
function itemSizeBytes(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^[-0.]+|\.|0+$/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSizeBytes(value.M);
  throw new Error(`no size rule for ${Object.keys(value).join(',')}`);
}

describe('switch history', () => {
  it('records every change, newest first: version, the version it replaced, state, reason, until, when and who', async () => {
    const table = await dynamo.newTable();

    await suspendSwitch(table, { name: 'api', reason: 'incident 42', until: at(NOW + 3_600_000), by: 'alice' }, clockAt(NOW + 1000));
    await resumeSwitch(table, { name: 'api', by: 'bob' }, clockAt(NOW + 2000));
    await resumeSwitch(table, { name: 'api', reason: 'checked again', by: 'carol' }, clockAt(NOW + 3000));

    expect(await getSwitchHistory(table, 'api')).toEqual<HistoryEntry[]>([
      { version: 3, replacedVersion: 2, suspended: false, reason: 'checked again', at: at(NOW + 3000), by: 'carol' },
      { version: 2, replacedVersion: 1, suspended: false, at: at(NOW + 2000), by: 'bob' },
      { version: 1, replacedVersion: 0, suspended: true, reason: 'incident 42', until: at(NOW + 3_600_000), at: at(NOW + 1000), by: 'alice' },
    ]);
  });

  it('is empty for a switch without an item, and for an item written by another tool without one', async () => {
    const table = await dynamo.newTable();
    await dynamo.client.send(new PutItemCommand({ TableName: table.tableName, Item: { switch: { S: 'legacy' }, suspended: { BOOL: true } } }));

    expect(await getSwitchHistory(table, 'nothing')).toEqual([]);
    expect(await getSwitchHistory(table, 'legacy')).toEqual([]);
  });

  it(`keeps the newest ${MAX_HISTORY_ENTRIES} entries, contiguous, once more changes were made`, async () => {
    const table = await dynamo.newTable();
    const writes = MAX_HISTORY_ENTRIES + 7;

    for (let n = 1; n <= writes; n++) {
      const write = n % 2 === 1 ? suspendSwitch(table, { name: 'busy', reason: `change ${n}`, by: `op-${n}` }, clockAt(NOW + n)) : resumeSwitch(table, { name: 'busy', reason: `change ${n}`, by: `op-${n}` }, clockAt(NOW + n));
      await write;
    }

    const history = await getSwitchHistory(table, 'busy');
    expect(history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(history.map((entry) => entry.version)).toEqual(Array.from({ length: MAX_HISTORY_ENTRIES }, (_, i) => writes - i));
    for (const entry of history) {
      expect(entry).toMatchObject({ replacedVersion: entry.version - 1, reason: `change ${entry.version}`, by: `op-${entry.version}`, suspended: entry.version % 2 === 1 });
    }
  });

  it('keeps versions contiguous under concurrent operators: no duplicate, no gap, and each entry is its writer\'s own', async () => {
    const table = await dynamo.newTable();
    const writers = 6;
    const changesEach = 7; // 42 changes: all of them fit in the history, so every one must be there.

    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let c = 0; c < changesEach; c++) {
          const input = { name: 'contended', reason: `writer ${w} change ${c}`, by: `writer-${w}` };
          // Enough attempts that every change lands: the point is what the history says, not the retry budget.
          await (c % 2 === 0 ? suspendSwitch(table, input, { maxAttempts: 200 }) : resumeSwitch(table, input, { maxAttempts: 200 }));
        }
      }),
    );

    const history = (await getSwitchHistory(table, 'contended')).reverse();
    const total = writers * changesEach;
    expect(history.map((entry) => entry.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(history.map((entry) => entry.replacedVersion)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const entry of history) expect(entry.reason).toMatch(new RegExp(`^writer ${entry.by.slice('writer-'.length)} change \\d$`));
    expect(new Set(history.map((entry) => entry.reason)).size).toBe(total);
    const item = await rawItem(table, 'contended');
    expect(item.version).toEqual({ N: String(total) });
    expect(item.updatedBy).toEqual({ S: history[total - 1]!.by });
  });

  it(`stays well under DynamoDB's 400 KB item limit with ${MAX_HISTORY_ENTRIES} maximal entries`, async () => {
    const table = await dynamo.newTable();
    // The largest text the library accepts: every character a 4-byte UTF-8 code point.
    const reason = '\u{1F6A8}'.repeat(MAX_REASON_LENGTH);
    const by = '\u{1F9D1}'.repeat(MAX_OPERATOR_LENGTH);
    // Versions as long as a safe integer gets, so numbers take their most bytes too.
    const firstVersion = Number.MAX_SAFE_INTEGER - 2 * MAX_HISTORY_ENTRIES;
    await dynamo.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { switch: { S: 'w'.repeat(64) }, suspended: { BOOL: false }, version: { N: String(firstVersion) } } }),
    );

    for (let n = 1; n <= MAX_HISTORY_ENTRIES + 1; n++) {
      const nowMs = Date.parse('2999-12-31T23:59:59.999Z') - 1_000_000 + n;
      await changeSwitch(table, 'w'.repeat(64), () => ({ suspended: true, reason, by, until: '9999-12-31T23:59:59.999Z', eventAt: at(nowMs) }), clockAt(nowMs));
    }

    const item = await rawItem(table, 'w'.repeat(64));
    expect(item.history?.L).toHaveLength(MAX_HISTORY_ENTRIES);
    const bytes = itemSizeBytes(item);
    const { history: _history, ...state } = item;
    console.log(`switch item with ${MAX_HISTORY_ENTRIES} maximal history entries: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB; without the history ${itemSizeBytes(state)} bytes)`);
    // At most half the limit, whatever the texts hold.
    expect(bytes).toBeLessThan(200 * 1024);
  });
});

describe("the check's read", () => {
  it('fetches the state attributes only, never the history', async () => {
    const table = await dynamo.newTable();
    for (let n = 1; n <= 5; n++) await suspendSwitch(table, { name: 'global', reason: `change ${n}`, by: 'alice' }, clockAt(NOW + n));
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    const returned: string[][] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        returned.push(Object.keys((result.output as { Item?: object }).Item ?? {}).sort());
        return result;
      },
      { step: 'initialize', name: 'recordReturnedAttributes' },
    );

    const store = new SwitchStore({ tableName: table.tableName, client, clock: () => NOW + 10 });
    const state = await store.readSwitch('global');
    client.destroy();

    expect(state).toMatchObject({ switch: 'global', suspended: true, reason: 'change 5', source: 'fresh' });
    expect(returned).toEqual([['reason', 'suspended', 'updatedAt', 'updatedBy', 'version']]);
  });
});
