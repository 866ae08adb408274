import * as fs from 'node:fs';
import * as path from 'node:path';
import { useDynalite } from '../support/dynalite';
import { seedCliSwitches } from '../support/switch-items';
import { useTempDirs } from '../support/temp-dirs';
import { baseEnv, inBatches, runCli, tableSnapshot, type CliResult } from './cli-harness';

const TABLE = 'switches';
const LONG_REASON = 'r'.repeat(501);

/** [what is wrong, arguments, the one-line message on stderr] */
const BAD_INPUT: readonly (readonly [string, readonly string[], string | RegExp])[] = [
  ['no command', [], 'suspense: missing command (see "suspense --help")'],
  ['an unknown command', ['frobnicate'], 'suspense: unknown command "frobnicate" (see "suspense --help")'],
  ['help on an unknown command', ['help', 'frobnicate'], 'suspense: unknown command "frobnicate" (see "suspense --help")'],
  ['a missing switch', ['suspend', '--reason', 'x'], 'suspense: missing argument <switch> (see "suspense suspend --help")'],
  ['a missing switch on resume', ['resume'], 'suspense: missing argument <switch> (see "suspense resume --help")'],
  ['a name with a space', ['suspend', 'bad name', '--reason', 'x'], 'suspense: invalid switch name "bad name": use 1-64 characters of A-Z a-z 0-9 . _ -'],
  ['an empty name', ['resume', ''], 'suspense: invalid switch name "": use 1-64 characters of A-Z a-z 0-9 . _ -'],
  ['a name of 65 characters', ['suspend', 'n'.repeat(65), '--reason', 'x'], /^suspense: invalid switch name "n{60}…": use 1-64 characters/],
  ['a non-ASCII name', ['status', 'café'], 'suspense: invalid switch name "caf\\u00e9": use 1-64 characters of A-Z a-z 0-9 . _ -'],
  ['a path as name', ['suspend', '../global', '--reason', 'x'], 'suspense: invalid switch name "../global": use 1-64 characters of A-Z a-z 0-9 . _ -'],
  ['a name with a bidi override', ['status', '\u202eglobal'], 'suspense: invalid switch name "\\u202eglobal": use 1-64 characters of A-Z a-z 0-9 . _ -'],
  ['suspend without --reason', ['suspend', 'global'], 'suspense: --reason is required: say why the switch is suspended (see "suspense suspend --help")'],
  ['--reason without a value', ['suspend', 'global', '--reason'], 'suspense: option --reason needs a value <text> (see "suspense suspend --help")'],
  [
    '--reason followed by another option',
    ['suspend', 'global', '--reason', '--json'],
    'suspense: option --reason needs a value (to give one that starts with "-", write --reason=<value>) (see "suspense suspend --help")',
  ],
  ['an empty reason', ['suspend', 'global', '--reason', '   '], 'suspense: reason must not be empty'],
  ['a reason of 501 characters', ['suspend', 'global', '--reason', LONG_REASON], 'suspense: reason is 501 characters long; the limit is 500'],
  ['a reason of 501 characters on resume', ['resume', 'global', '--reason', LONG_REASON], 'suspense: reason is 501 characters long; the limit is 500'],
  ['a reason over two lines', ['suspend', 'global', '--reason', 'one\ntwo'], 'suspense: reason must be one line of printable text (no control characters)'],
  ['a reason with a terminal escape', ['suspend', 'global', '--reason', '\u001b[2Jgone'], 'suspense: reason must be one line of printable text (no control characters)'],
  ['--reason twice', ['suspend', 'global', '--reason', 'a', '--reason', 'b'], 'suspense: option --reason is given more than once (see "suspense suspend --help")'],
  ['an until in the past', ['suspend', 'global', '--reason', 'x', '--until', '2020-01-01T00:00:00Z'], /^suspense: until 2020-01-01T00:00:00\.000Z is not in the future \(now \d{4}-.*Z\)$/],
  ['a word as until', ['suspend', 'global', '--reason', 'x', '--until', 'tomorrow'], 'suspense: --until must be an ISO 8601 time with a zone (2030-01-31T18:00:00Z) or a duration such as 30m, 2h, 1d; got "tomorrow" (see "suspense suspend --help")'],
  ['an empty until', ['suspend', 'global', '--reason', 'x', '--until', ''], /^suspense: --until must be an ISO 8601 time with a zone .* got "" \(see/],
  ['a fractional duration', ['suspend', 'global', '--reason', 'x', '--until', '1.5h'], /^suspense: --until must be an ISO 8601 time .* got "1\.5h"/],
  ['an unknown unit', ['suspend', 'global', '--reason', 'x', '--until', '2w'], /^suspense: --until must be an ISO 8601 time .* got "2w"/],
  ['a zero duration', ['suspend', 'global', '--reason', 'x', '--until', '0m'], 'suspense: --until "0m" is not in the future: give a duration above zero (see "suspense suspend --help")'],
  ['a negative duration', ['suspend', 'global', '--reason', 'x', '--until=-5m'], /^suspense: --until must be an ISO 8601 time .* got "-5m"/],
  ['a duration over a year', ['suspend', 'global', '--reason', 'x', '--until', '366d'], 'suspense: --until "366d" is longer than 365d: give an ISO 8601 time instead (see "suspense suspend --help")'],
  ['a huge duration', ['suspend', 'global', '--reason', 'x', '--until', '99999999999999999999h'], /^suspense: --until must be an ISO 8601 time/],
  ['February 30th', ['suspend', 'global', '--reason', 'x', '--until', '2031-02-30T00:00:00Z'], 'suspense: --until "2031-02-30T00:00:00Z" is not a valid date and time (see "suspense suspend --help")'],
  ['hour 25', ['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T25:00:00Z'], /^suspense: --until "2031-01-01T25:00:00Z" is not a valid date and time/],
  ['a time without a zone', ['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T00:00:00'], 'suspense: --until "2031-01-01T00:00:00" has no time zone: add Z for UTC (2031-01-01T00:00:00Z) or an offset such as +02:00 (see "suspense suspend --help")'],
  ['an offset beyond 14 hours', ['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T00:00:00+15:00'], /^suspense: --until "2031-01-01T00:00:00\+15:00" is not a valid date and time/],
  ['a year beyond 9999 in UTC', ['suspend', 'global', '--reason', 'x', '--until', '9999-12-31T23:00:00-05:00'], /^suspense: until must be an ISO 8601 UTC time from now to year 9999/],
  ['--until on resume', ['resume', 'global', '--until', '1h'], 'suspense: unknown option "--until" for "resume" (see "suspense resume --help")'],
  ['an unknown option', ['list', '--force'], 'suspense: unknown option "--force" for "list" (see "suspense list --help")'],
  ['an unknown short option', ['list', '-x'], 'suspense: unknown option "-x" for "list" (see "suspense list --help")'],
  ['a prototype key as option', ['list', '--__proto__'], 'suspense: unknown option "--__proto__" for "list" (see "suspense list --help")'],
  ['a value on a flag', ['list', '--json=yes'], 'suspense: option --json takes no value (see "suspense list --help")'],
  ['an extra argument', ['list', 'extra'], 'suspense: unexpected argument "extra" (see "suspense list --help")'],
  ['two switches', ['status', 'a', 'b'], 'suspense: unexpected argument "b" (see "suspense status --help")'],
  ['an empty --by', ['suspend', 'global', '--reason', 'x', '--by', ''], 'suspense: operator (updatedBy) must not be empty'],
  ['a --by of 331 characters', ['resume', 'global', '--by', 'b'.repeat(331)], 'suspense: operator (updatedBy) is 331 characters long; the limit is 330'],
  ['a word as --if-version', ['resume', 'global', '--if-version', 'three'], 'suspense: --if-version must be a whole number from 0, got "three" (see "suspense resume --help")'],
  ['a zero --timeout', ['list', '--timeout', '0'], 'suspense: --timeout must be a number of seconds above 0 and at most 900, got "0" (see "suspense list --help")'],
  ['an invalid --region', ['list', '--region', 'us east'], 'suspense: invalid --region "us east" (see "suspense list --help")'],
  ['a table name too short', ['list', '--table', 'ab'], 'suspense: invalid table name "ab" from --table: use 3-255 characters of A-Z a-z 0-9 _ . - (see "suspense list --help")'],
  ['a stack name with a path', ['list', '--stack', '../x'], 'suspense: invalid stack name "../x": use letters, digits, _ and - (see "suspense list --help")'],
  ['--stack outside any project', ['list', '--stack', 'no-such-stack'], /^suspense: --stack needs the project: no cdktf\.json in .* or any folder above it \(or pass the name directly\)/],
  ['both --table and --stack', ['list', '--table', 'switches', '--stack', 'suspense-dev'], 'suspense: pass --table or --stack, not both (see "suspense list --help")'],
  ['both --function and --stack', ['invoke', '--function', 'check', '--stack', 'suspense-dev'], 'suspense: pass --function or --stack, not both (see "suspense invoke --help")'],
  ['invoke without a function', ['invoke'], 'suspense: no function: pass --function <name> or --stack <stack>, or set SUSPENSE_FUNCTION (see "suspense invoke --help")'],
  ['an invalid function name', ['invoke', '--function', 'my function'], 'suspense: invalid --function "my function": give a function name or ARN (see "suspense invoke --help")'],
  ['a missing event file', ['invoke', '--function', 'check', '--event', 'no-such-event.json'], 'suspense: cannot read --event "no-such-event.json": ENOENT (see "suspense invoke --help")'],
  ['an event file that is not JSON', ['invoke', '--function', 'check', '--event', 'not-json.json'], /^suspense: --event "not-json\.json" is not valid JSON: .* \(see "suspense invoke --help"\)$/],
  ['a directory as event file', ['invoke', '--function', 'check', '--event', '.'], 'suspense: --event "." is not a file (see "suspense invoke --help")'],
];

const dynamo = useDynalite({ table: TABLE });
const tempDir = useTempDirs();
let workDir: string;
let before: Awaited<ReturnType<typeof tableSnapshot>>;
let results: CliResult[];

beforeAll(async () => {
  await seedCliSwitches(dynamo.table);
  workDir = tempDir('suspense-bad-input-');
  fs.writeFileSync(path.join(workDir, 'not-json.json'), '{"key1": ');
  before = await tableSnapshot(dynamo.client, TABLE);

  // All cases run up front, a few at a time: each is a child process, and none may change the table.
  const env = {
    ...baseEnv(dynamo.endpoint),
    SUSPENSE_TABLE: TABLE,
    // Nothing listens there: a command that got as far as invoking would fail with 1, not 2.
    AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9',
  };
  results = await inBatches(BAD_INPUT.map(([, args]) => () => runCli(args, { env, cwd: workDir })));
});

describe('suspense CLI: bad input', () => {
  it.each(BAD_INPUT.map((testCase, index) => [testCase[0], index, testCase[2]] as const))(
    'exits 2 for %s, with one clear line on stderr and nothing on stdout',
    (_case, index, expected) => {
      const result = results[index] as CliResult;
      const line = result.stderr.replace(/\n$/, '');

      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      // One line of printable text: no stack trace, no control characters.
      expect(result.stderr).toMatch(/^[^\n]*\n$/);
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
      if (typeof expected === 'string') expect(line).toBe(expected);
      else expect(line).toMatch(expected);
    },
  );

  it('leaves the table exactly as it was after all of them', async () => {
    expect(await tableSnapshot(dynamo.client, TABLE)).toEqual(before);
  });

  it('exits 2 and asks for a table when none is given, set or derivable', async () => {
    const result = await runCli(['list'], { env: baseEnv(dynamo.endpoint) });

    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'suspense: no switch table: pass --table <name> or --stack <stack>, or set SUSPENSE_TABLE (see "suspense list --help")\n',
    });
  });
});
