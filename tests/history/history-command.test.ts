import { suspendSwitch, resumeSwitch } from '../../functions/switch/switch-operations';
import { baseEnv, runCli } from '../cli/cli-harness';
import { useDynalite } from '../support/dynalite';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

const dynamo = useDynalite({ table: 'switches' });

beforeAll(async () => {
  const { table } = dynamo;
  await suspendSwitch(table, { name: 'global', reason: 'deploy freeze', until: at(NOW + 7_200_000), by: 'alice' }, { now: () => NOW });
  await resumeSwitch(table, { name: 'global', reason: 'freeze over', by: 'bob' }, { now: () => NOW + 60_000 });
  await suspendSwitch(table, { name: 'global', reason: 'INC-7', by: 'carol' }, { now: () => NOW + 120_000 });
});

const history = (...args: string[]) => runCli(['history', ...args, '--table', 'switches'], { env: baseEnv(dynamo.endpoint) });

describe('suspense history', () => {
  it('prints every change newest first: version, when, what, until, who and why', async () => {
    const result = await history('global');

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'VERSION  AT                        CHANGE     UNTIL                     BY     REASON',
        `3        ${at(NOW + 120_000)}  suspended  -                         carol  INC-7`,
        `2        ${at(NOW + 60_000)}  resumed    -                         bob    freeze over`,
        `1        ${at(NOW)}  suspended  ${at(NOW + 7_200_000)}  alice  deploy freeze`,
        '',
      ].join('\n'),
    );
  });

  it('answers --json with an array of entries, every field present, and --limit keeps the newest', async () => {
    const result = await history('global', '--json', '--limit', '2');

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      { version: 3, replacedVersion: 2, suspended: true, reason: 'INC-7', until: null, at: at(NOW + 120_000), by: 'carol', eventAt: null },
      { version: 2, replacedVersion: 1, suspended: false, reason: 'freeze over', until: null, at: at(NOW + 60_000), by: 'bob', eventAt: null },
    ]);
  });

  it('says so for a switch without history, and answers [] in JSON', async () => {
    expect((await history('orders')).stdout).toBe('No history for "orders" in table "switches".\n');
    expect(JSON.parse((await history('orders', '--json')).stdout)).toEqual([]);
  });

  it.each([
    [['history'], 'suspense: missing argument <switch> (see "suspense history --help")'],
    [['history', 'bad name'], 'suspense: invalid switch name "bad name": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    [['history', 'global', '--limit', '0'], 'suspense: --limit must be a whole number from 1 to 50, got "0" (see "suspense history --help")'],
    [['history', 'global', '--limit', '51'], 'suspense: --limit must be a whole number from 1 to 50, got "51" (see "suspense history --help")'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await runCli([...args, '--table', 'switches'], { env: baseEnv(dynamo.endpoint) });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${message}\n`);
  });
});
