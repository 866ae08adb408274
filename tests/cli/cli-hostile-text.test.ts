import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { MAX_OPERATOR_LENGTH, MAX_REASON_LENGTH } from '../../functions/switch/schema';
import { useDynalite } from '../support/dynalite';
import { baseEnv, runCli, tableSnapshot, type CliResult } from './cli-harness';
import { HOSTILE, UNSAFE } from './hostile-text';

const TABLE = 'hostile';
/** An item written by another tool, far beyond the write limit (DynamoDB's item limit is 400 KB). */
const HUGE_REASON = `${'r'.repeat(350_000)}\u001b[2J`;
/** Lone surrogates cannot be stored: DynamoDB strings are UTF-8. */
const STORABLE = HOSTILE.filter(([what]) => what !== 'a lone surrogate');
const switchName = (index: number) => `s${String(index).padStart(2, '0')}`;

const dynamo = useDynalite({ table: TABLE });
let before: Awaited<ReturnType<typeof tableSnapshot>>;
const env = () => ({ ...baseEnv(dynamo.endpoint), SUSPENSE_TABLE: TABLE });

beforeAll(async () => {
  const put = (item: Record<string, AttributeValue>) => dynamo.client.send(new PutItemCommand({ TableName: TABLE, Item: item }));
  for (const [index, [, text]] of STORABLE.entries()) {
    await put({
      switch: { S: switchName(index) },
      suspended: { BOOL: true },
      reason: { S: `why ${text}` },
      updatedBy: { S: `who ${text}` },
      updatedAt: { S: '2030-01-01T00:00:00Z' },
      version: { N: '1' },
      history: {
        L: [{ M: { version: { N: '1' }, replacedVersion: { N: '0' }, suspended: { BOOL: true }, reason: { S: `why ${text}` }, at: { S: '2030-01-01T00:00:00Z' }, by: { S: `who ${text}` } } }],
      },
    });
  }
  await put({ switch: { S: 'huge' }, suspended: { BOOL: true }, reason: { S: HUGE_REASON }, version: { N: '1' } });
  // A key no operator could write: the name itself is hostile.
  await put({ switch: { S: 'evil\u001b[2J\u202e' }, suspended: { S: 'yes' }, version: { N: '1' } });
  before = await tableSnapshot(dynamo.client, TABLE);
});

function ok(result: CliResult): string {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return result.stdout;
}

describe('suspense CLI: text written by other tools', () => {
  it.each([
    ['list', ['list']],
    ['status with notes', ['status']],
    ['status of one switch', ['status', 's00']],
    ['history', ['history', 's00']],
  ])('%s shows it with U+FFFD for every character that drives a terminal', async (_what, args) => {
    const stdout = ok(await runCli(args, { env: env() }));

    expect(stdout.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(stdout).toContain('\ufffd');
  });

  it('escapes it in --json as \\uXXXX, which parses back to the data as stored', async () => {
    const stdout = ok(await runCli(['list', '--json'], { env: env() }));
    const views = JSON.parse(stdout) as { switch: string; reason: string | null; updatedBy: string | null }[];

    expect(stdout.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(stdout).toContain('\\u001b[2J');
    expect(stdout).toContain('\\u202e');
    expect(stdout).toContain('\\u009b31m');
    expect(views.map((v) => v.switch)).toEqual(['evil\u001b[2J\u202e', 'huge', ...STORABLE.map((_, index) => switchName(index))]);
    for (const [index, [, text]] of STORABLE.entries()) {
      expect(views.find((v) => v.switch === switchName(index))).toMatchObject({ reason: `why ${text}`, updatedBy: `who ${text}` });
    }
  });

  it.each(STORABLE.map(([what], index) => [what, index] as const))('escapes %s in history --json, which parses back to the entry as stored', async (_what, index) => {
    const stdout = ok(await runCli(['history', switchName(index), '--json'], { env: env() }));

    expect(stdout.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(JSON.parse(stdout)).toMatchObject([{ reason: `why ${STORABLE[index]?.[1]}`, by: `who ${STORABLE[index]?.[1]}` }]);
  });

  it('shows a reason beyond the write limit cut to the limit, in --json and (shorter still) in the table', async () => {
    const human = ok(await runCli(['status', 'huge'], { env: env() }));
    const view = JSON.parse(ok(await runCli(['status', 'huge', '--json'], { env: env() }))) as { reason: string };

    expect([...view.reason]).toHaveLength(MAX_REASON_LENGTH);
    expect(view.reason).toBe(`${'r'.repeat(MAX_REASON_LENGTH - 1)}…`);
    expect(human.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(human.length).toBeLessThan(1000);
  });

  describe('with 350 KB in every other attribute a reader shows', () => {
    const BLOATED = 'bloated';
    const KB350 = 350_000;
    const bloatedEnv = () => ({ ...baseEnv(dynamo.endpoint), SUSPENSE_TABLE: BLOATED });
    const entry = (fields: Record<string, AttributeValue>): AttributeValue => ({
      M: { version: { N: '1' }, replacedVersion: { N: '0' }, suspended: { BOOL: true }, at: { S: '2030-01-01T00:00:00Z' }, by: { S: 'ops' }, ...fields },
    });

    beforeAll(async () => {
      await dynamo.createSwitchTable(BLOATED);
      const put = (item: Record<string, AttributeValue>) => dynamo.client.send(new PutItemCommand({ TableName: BLOATED, Item: item }));
      const base = { suspended: { BOOL: true }, reason: { S: 'why' }, updatedAt: { S: '2030-01-01T00:00:00Z' }, updatedBy: { S: 'ops' }, version: { N: '3' } };
      await put({ ...base, switch: { S: 'long-by' }, updatedBy: { S: 'b'.repeat(KB350) } });
      await put({ ...base, switch: { S: 'long-at' }, updatedAt: { S: `2030-01-01T00:00:00Z${'x'.repeat(KB350)}` } });
      await put({ ...base, switch: { S: 'long-history-text' }, history: { L: [entry({ reason: { S: 'r'.repeat(KB350 / 2) }, by: { S: 'b'.repeat(KB350 / 2) } })] } });
      await put({
        ...base,
        switch: { S: 'long-history-times' },
        history: {
          L: [
            entry({ at: { S: `2030-01-01T00:00:00Z${'x'.repeat(KB350 / 2)}` } }),
            entry({ version: { N: '2' }, replacedVersion: { N: '1' }, until: { S: `2031-01-01T00:00:00Z${'x'.repeat(KB350 / 2)}` } }),
            entry({ version: { N: '3' }, replacedVersion: { N: '2' } }),
          ],
        },
      });
    });

    it.each([['list'], ['status', 'long-by'], ['status', 'long-at'], ['history', 'long-history-text'], ['history', 'long-history-times']].map((args) => [args.join(' '), args] as const))(
      'suspense %s prints a few hundred characters, human and --json',
      async (_what, args) => {
      const human = ok(await runCli(args, { env: bloatedEnv() }));
      const json = ok(await runCli([...args, '--json'], { env: bloatedEnv() }));

      console.log(`suspense ${args.join(' ')}: ${human.length} characters; --json ${json.length}`);
      expect(human.length).toBeLessThan(3_000);
      expect(json.length).toBeLessThan(5_000);
      },
    );

    it('shows updatedBy cut to the write limit and drops an updatedAt that is not a time, with a warning', async () => {
      const views = JSON.parse(ok(await runCli(['list', '--json'], { env: bloatedEnv() }))) as { switch: string }[];
      const [longAt, longBy] = ['long-at', 'long-by'].map((name) => views.find((view) => view.switch === name));

      expect(longAt).toMatchObject({ switch: 'long-at', updatedAt: null, warnings: [`attribute "updatedAt" is not an ISO 8601 UTC time ("2030-01-01T00:00:00Z${'x'.repeat(19)}…"); ignored`] });
      expect(longBy).toMatchObject({ switch: 'long-by', updatedBy: `${'b'.repeat(MAX_OPERATOR_LENGTH - 1)}…`, warnings: [`attribute "updatedBy" is ${KB350} characters long; cut to ${MAX_OPERATOR_LENGTH}`] });
    });

    it('shows history reason and by cut to the write limits, and leaves out entries whose at or until is not a time', async () => {
      const text = JSON.parse(ok(await runCli(['history', 'long-history-text', '--json'], { env: bloatedEnv() })));
      const times = JSON.parse(ok(await runCli(['history', 'long-history-times', '--json'], { env: bloatedEnv() })));

      expect(text).toMatchObject([{ version: 1, reason: `${'r'.repeat(MAX_REASON_LENGTH - 1)}…`, by: `${'b'.repeat(MAX_OPERATOR_LENGTH - 1)}…` }]);
      expect(times.map((e: { version: number }) => e.version)).toEqual([3]);
    });
  });

  it('changes nothing in the table', async () => {
    expect(await tableSnapshot(dynamo.client, TABLE)).toEqual(before);
  });
});
