import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as os from 'node:os';
import { COMMANDS } from '../../cli/commands';
import { useDynalite } from '../support/dynalite';
import { baseEnv, runCli, tableSnapshot, type CliResult } from './cli-harness';

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

const dynamo = useDynalite();
/** A table no other test uses, by name. */
const newTable = async (): Promise<string> => (await dynamo.newTable()).tableName;

/** The CLI against the test's DynamoDB, with a table. */
function cli(table: string | undefined, ...args: string[]): Promise<CliResult> {
  return runCli(table === undefined ? args : [...args, '--table', table], { env: baseEnv(dynamo.endpoint) });
}

function json(result: CliResult): unknown {
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

describe('suspense CLI: suspend, resume, status and list', () => {
  it('suspends a switch for a duration and says what it wrote', async () => {
    const table = await newTable();
    const before = Date.now();

    const result = await cli(table, 'suspend', 'global', '--reason', 'deploy freeze', '--until', '2h', '--by', 'alice');
    const after = Date.now();

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const match = new RegExp(`^Suspended "global" until (${ISO}): deploy freeze \\(version 1, by alice at (${ISO})\\)\\.\\n$`).exec(result.stdout);
    expect(match).not.toBeNull();
    const [until, updatedAt] = [Date.parse(match?.[1] ?? ''), Date.parse(match?.[2] ?? '')];
    // Two hours from when the command ran.
    expect(until).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
    expect(until).toBeLessThanOrEqual(after + 2 * 3_600_000);
    expect(updatedAt).toBeGreaterThanOrEqual(before);
    expect(updatedAt).toBeLessThanOrEqual(after);
    expect(await tableSnapshot(dynamo.client, table)).toEqual([
      {
        switch: { S: 'global' },
        suspended: { BOOL: true },
        reason: { S: 'deploy freeze' },
        until: { S: match?.[1] },
        updatedAt: { S: match?.[2] },
        updatedBy: { S: 'alice' },
        version: { N: '1' },
        // Its entries: tests/history/.
        history: { L: [expect.anything()] },
      },
    ]);
  });

  it('stores an --until with an offset in UTC and answers --json with the switch as stored', async () => {
    const table = await newTable();

    const view = json(await cli(table, 'suspend', 'api.v2', '--reason', 'bad release', '--until', '2099-06-01T14:00:00+02:00', '--by', 'bob', '--json'));

    expect(view).toEqual({
      switch: 'api.v2',
      exists: true,
      state: 'suspended',
      suspended: true,
      reason: 'bad release',
      until: '2099-06-01T12:00:00.000Z',
      updatedAt: expect.stringMatching(new RegExp(`^${ISO}$`)),
      updatedBy: 'bob',
      version: 1,
      problem: null,
      warnings: [],
    });
  });

  it('resumes a switch: until removed, reason replaced by --reason, version moved by one', async () => {
    const table = await newTable();
    await cli(table, 'suspend', 'global', '--reason', 'incident', '--until', '1d', '--by', 'alice');

    const result = await cli(table, 'resume', 'global', '--reason', 'all clear', '--by', 'bob');

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Resumed "global": all clear \\(version 2, by bob at ${ISO}\\)\\.\\n$`));
    const [item] = await tableSnapshot(dynamo.client, table);
    expect(item).toEqual({
      switch: { S: 'global' },
      suspended: { BOOL: false },
      reason: { S: 'all clear' },
      updatedAt: { S: expect.stringMatching(new RegExp(`^${ISO}$`)) },
      updatedBy: { S: 'bob' },
      history: { L: [expect.anything(), expect.anything()] },
      version: { N: '2' },
    });
  });

  it('records $USER@hostname as updatedBy when --by is not given, and reads the table from SUSPENSE_TABLE', async () => {
    const table = await newTable();

    const result = await runCli(['resume', 'global', '--json'], { env: { ...baseEnv(dynamo.endpoint), USER: 'carol', SUSPENSE_TABLE: table } });

    expect(json(result)).toMatchObject({ switch: 'global', state: 'active', reason: null, updatedBy: `carol@${os.hostname()}`, version: 1 });
  });

  it('shows one switch as a table row, and a switch without an item as active', async () => {
    const table = await newTable();
    const written = json(await cli(table, 'suspend', 'global', '--reason', 'maintenance', '--until', '2099-01-01T00:00:00Z', '--by', 'alice', '--json')) as {
      updatedAt: string;
    };

    const global = await cli(table, 'status', 'global');
    const absent = await cli(table, 'status', 'other');
    const absentJson = json(await cli(table, 'status', 'other', '--json'));

    expect(global).toMatchObject({ code: 0, stderr: '' });
    expect(global.stdout).toBe(
      [
        'SWITCH  STATE      REASON       UNTIL                     UPDATED BY  UPDATED AT                VERSION',
        `global  suspended  maintenance  2099-01-01T00:00:00.000Z  alice       ${written.updatedAt}  1`,
        '',
      ].join('\n'),
    );
    expect(absent.stdout).toBe(
      [
        'SWITCH  STATE   REASON  UNTIL  UPDATED BY  UPDATED AT  VERSION',
        'other   active  -       -      -           -           -',
        '"other" has no item: it is active.',
        '',
      ].join('\n'),
    );
    expect(absentJson).toEqual({
      switch: 'other',
      exists: false,
      state: 'active',
      suspended: false,
      reason: null,
      until: null,
      updatedAt: null,
      updatedBy: null,
      version: 0,
      problem: null,
      warnings: [],
    });
  });

  it('lists every switch sorted by name, and status without a switch adds notes on ended, unreadable and odd items', async () => {
    const table = await newTable();
    const put = (item: Record<string, unknown>) =>
      dynamo.client.send(new PutItemCommand({ TableName: table, Item: item as never }));
    await put({ switch: { S: 'b-ended' }, suspended: { BOOL: true }, reason: { S: 'old' }, until: { S: '2001-01-01T00:00:00Z' }, updatedAt: { S: '2000-12-31T00:00:00Z' }, updatedBy: { S: 'ops' }, version: { N: '7' } });
    await put({ switch: { S: 'c-broken' }, suspended: { S: 'maybe' }, version: { N: '2' } });
    await put({ switch: { S: 'a-odd' }, suspended: { BOOL: false }, version: { S: 'x' }, reason: { S: 'line\u001b[2Jone\nline two' } });

    const list = await cli(table, 'list');
    const status = await cli(table, 'status');
    const listJson = json(await cli(table, 'list', '--json'));
    const statusJson = json(await cli(table, 'status', '--json'));

    const rows = [
      'SWITCH    STATE           REASON                UNTIL                 UPDATED BY  UPDATED AT            VERSION',
      'a-odd     active          line\ufffd[2Jone\ufffdline two  -                     -           -                     0',
      'b-ended   active (ended)  old                   2001-01-01T00:00:00Z  ops         2000-12-31T00:00:00Z  7',
      'c-broken  unreadable      -                     -                     -           -                     0',
    ];
    expect(list).toMatchObject({ code: 0, stderr: '', stdout: [...rows, ''].join('\n') });
    expect(status).toMatchObject({
      code: 0,
      stderr: '',
      stdout: [
        ...rows,
        '"a-odd": attribute "version" is a string, expected a whole number; read as 0',
        '"b-ended" was suspended until 2001-01-01T00:00:00Z, which has passed.',
        '"c-broken" is unreadable: attribute "suspended" is a string, expected a boolean; checks fall back to their fail mode.',
        '',
      ].join('\n'),
    });
    expect(listJson).toEqual(statusJson);
    expect(listJson).toEqual([
      {
        switch: 'a-odd',
        exists: true,
        state: 'active',
        suspended: false,
        reason: 'line\u001b[2Jone\nline two',
        until: null,
        updatedAt: null,
        updatedBy: null,
        version: 0,
        problem: null,
        warnings: ['attribute "version" is a string, expected a whole number; read as 0'],
      },
      {
        switch: 'b-ended',
        exists: true,
        state: 'active',
        suspended: true,
        reason: 'old',
        until: '2001-01-01T00:00:00Z',
        updatedAt: '2000-12-31T00:00:00Z',
        updatedBy: 'ops',
        version: 7,
        problem: null,
        warnings: [],
      },
      {
        switch: 'c-broken',
        exists: true,
        state: 'unreadable',
        suspended: null,
        reason: null,
        until: null,
        updatedAt: null,
        updatedBy: null,
        version: 0,
        problem: 'attribute "suspended" is a string, expected a boolean',
        warnings: [],
      },
    ]);
  });

  it('says so when a table has no switches', async () => {
    const table = await newTable();

    const human = await cli(table, 'list');
    const machine = await cli(table, 'status', '--json');

    expect(human).toMatchObject({ code: 0, stderr: '', stdout: `No switches in table "${table}": every switch is active.\n` });
    expect(json(machine)).toEqual([]);
  });

  it('writes at --if-version only when the switch is at that version, else exits 1 and changes nothing', async () => {
    const table = await newTable();
    await cli(table, 'suspend', 'global', '--reason', 'first', '--by', 'alice');
    const before = await tableSnapshot(dynamo.client, table);

    const stale = await cli(table, 'resume', 'global', '--if-version', '0', '--by', 'bob');
    const unchanged = await tableSnapshot(dynamo.client, table);
    const current = await cli(table, 'resume', 'global', '--if-version', '1', '--by', 'bob', '--json');

    expect(stale).toEqual({
      code: 1,
      stdout: '',
      stderr: 'suspense: switch "global" is at version 1, not the expected 0; nothing written\n',
      ms: expect.any(Number),
    });
    expect(unchanged).toEqual(before);
    expect(json(current)).toMatchObject({ state: 'active', updatedBy: 'bob', version: 2 });
  });
});

describe('suspense CLI: help', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the overview for %s on stdout and exits 0', async (flag) => {
    const result = await runCli([flag]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: suspense <command> \[options\]\n/);
    for (const command of Object.keys(COMMANDS)) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(result.stdout).toContain(
      [
        'Exit codes: 0 success;',
        '            1 failure (AWS error, unreachable endpoint, timeout, conflicting write, function error);',
        '            2 bad usage or input (nothing was changed).',
      ].join('\n'),
    );
  });

  it.each(Object.values(COMMANDS).flatMap((spec) => [[spec.name, '--help'], [spec.name, '-h'], ['help', spec.name]]))(
    'prints the help of the command for "%s %s", listing every option',
    async (...args) => {
      const command = args[0] === 'help' ? (args[1] as keyof typeof COMMANDS) : (args[0] as keyof typeof COMMANDS);

      const result = await runCli(args);

      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.split('\n')[0]).toBe(`Usage: suspense ${command}${COMMANDS[command].args ? ` ${COMMANDS[command].args}` : ''} [options]`);
      for (const option of Object.keys(COMMANDS[command].options)) expect(result.stdout).toMatch(new RegExp(`^  (-h, )?--${option}\\b`, 'm'));
      expect(result.stdout).toContain(`\nExamples:\n${COMMANDS[command].examples.map((e) => `  ${e}\n`).join('')}`);
    },
  );

  it('answers --help before checking anything else, with no table and nothing to reach', async () => {
    const result = await runCli(['suspend', 'not a name', '--bogus', '--help']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: suspense suspend <switch> \[options\]/);
  });
});
