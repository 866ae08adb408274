import type { CliIo } from '../../cli/cli-io';
import { parseCommand } from '../../cli/command-line';
import { COMMANDS } from '../../cli/commands';
import { SwitchInputError } from '../../functions/switch/switch-input';
import { UsageError } from '../../cli/errors';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');

function io(env: NodeJS.ProcessEnv = {}): CliIo {
  return { stdout: () => undefined, stderr: () => undefined, env: { USER: 'alice', ...env }, cwd: process.cwd(), now: () => NOW };
}

async function parsed(argv: string[], env?: NodeJS.ProcessEnv) {
  const result = await parseCommand(argv, io(env));
  if (result.kind !== 'run') throw new Error('expected a command to run');
  return result;
}

describe('the CLI parse', () => {
  it('gives one complete, typed command: the input the library writes, where the table is, and the options', async () => {
    const { entry, command } = await parsed(['suspend', 'orders', '--reason', 'INC-1', '--until', '2h', '--by', 'bob', '--if-version', '3', '--stack', 'suspense-dev', '--json']);

    expect(entry).toBe(COMMANDS.suspend);
    expect(command).toEqual({
      command: 'suspend',
      json: true,
      timeoutSeconds: 10,
      table: { from: 'stack', stack: 'suspense-dev' },
      input: { name: 'orders', reason: 'INC-1', by: 'bob', expectedVersion: 3 },
      until: { inMs: 2 * 3_600_000 },
    });
  });

  it.each([
    [['resume', 'orders', '--table', 'switches'], {}, { command: 'resume', json: false, timeoutSeconds: 10, table: { from: 'flag', name: 'switches' }, input: { name: 'orders', by: expect.stringMatching(/^alice@/) } }],
    [['status', '--region', 'eu-west-1', '--timeout', '2.5'], { SUSPENSE_TABLE: 'from-env' }, { command: 'status', json: false, timeoutSeconds: 2.5, region: 'eu-west-1', table: { from: 'environment', name: 'from-env' }, notes: true }],
    [['list'], { SUSPENSE_TABLE: 'from-env' }, { command: 'list', json: false, timeoutSeconds: 10, table: { from: 'environment', name: 'from-env' }, notes: false }],
    [['invoke'], { SUSPENSE_FUNCTION: 'suspense-check-dev' }, { command: 'invoke', json: false, timeoutSeconds: 60, function: { from: 'environment', name: 'suspense-check-dev' }, payload: '{"key1":"value1","key2":"value2","key3":"value3"}' }],
  ])('parses %j', async (argv, env, expected) => {
    expect((await parsed(argv, env)).command).toEqual(expected);
  });

  it('refuses bad input with the error class that exits 2, the library\'s own for switch input', async () => {
    await expect(parseCommand(['status', 'not a name', '--table', 'switches'], io())).rejects.toBeInstanceOf(SwitchInputError);
    await expect(parseCommand(['suspend', 'global', '--reason', '\u001b[2J', '--table', 'switches'], io())).rejects.toBeInstanceOf(SwitchInputError);
    await expect(parseCommand(['list'], io())).rejects.toThrow(new UsageError('no switch table: pass --table <name> or --stack <stack>, or set SUSPENSE_TABLE'));
    await expect(parseCommand(['list'], io({ SUSPENSE_TABLE: 'x' }))).rejects.toThrow('invalid table name "x" from SUSPENSE_TABLE');
  });
});
