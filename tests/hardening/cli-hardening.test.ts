/**
 * The `suspense` CLI (bin/suspense.js, in child processes) when DynamoDB fails behind a fault-injecting proxy, and
 * given hostile arguments: it ends in bounded time with one clear line and a non-zero exit, and the table is
 * exactly as it was.
 */
import { getSwitch } from '../../functions/switch/switch-operations';
import { baseEnv, inBatches, runCli, tableSnapshot, type CliResult } from '../cli/cli-harness';
import { useDynalite } from '../support/dynalite';
import { FAULTS, startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy';
import { printFigure } from '../support/figures';
import { seedCliSwitches } from '../support/switch-items';

const TABLE = 'switches';
/** --timeout given to commands whose point is that they give up: DynamoDB hangs, answers too late, throttles. */
const TIMEOUT_SECONDS = 1;
/**
 * --timeout given to commands that end by themselves (connection refused or reset, answers lost): long enough
 * that a busy machine cannot make the deadline come first and change the message under test.
 */
const SELF_ENDING_TIMEOUT_SECONDS = 10;
/**
 * What starting Node, loading the CLI and the AWS SDK may add to --timeout. Four commands start at once; on a
 * quiet two-core machine the slowest adds about 0.8 s (printed by each run): the bound is over 10 times that, so
 * a crowded machine cannot fail the test, while a command that ignored --timeout (the slow mode below answers
 * after 60 s, the hanging one never, and the harness kills a command after 60 s) still would.
 */
const START_UP_ALLOWANCE_MS = 10_000;
const COMMANDS: readonly (readonly string[])[] = [['suspend', 'global', '--reason', 'maintenance'], ['resume', 'api'], ['status', 'global'], ['list']];

const dynamo = useDynalite({ table: TABLE });
let proxy: FaultProxy;

beforeAll(async () => {
  await seedCliSwitches(dynamo.table);
  proxy = await startFaultProxy(dynamo.endpoint);
});
afterAll(() => proxy?.stop());

const cliEnv = () => ({ ...baseEnv(proxy.endpoint), SUSPENSE_TABLE: TABLE });

/** Every command of COMMANDS against DynamoDB behaving as `mode`, with the table before and after. */
async function underFault(mode: FaultMode, timeoutSeconds: number): Promise<{ results: CliResult[]; before: unknown; after: unknown }> {
  const before = await tableSnapshot(dynamo.client, TABLE);
  await proxy.setMode(mode);
  try {
    const results = await Promise.all(COMMANDS.map((args) => runCli([...args, '--timeout', String(timeoutSeconds)], { env: cliEnv(), killAfterMs: 60_000 })));
    return { results, before, after: await tableSnapshot(dynamo.client, TABLE) };
  } finally {
    await proxy.setMode(FAULTS.pass);
  }
}

describe('suspense CLI when DynamoDB fails', () => {
  const noAnswer = () => `suspense: no answer from DynamoDB within ${TIMEOUT_SECONDS}s (${proxy.endpoint})\n`;
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

  it.each([
    ['unreachable (connection refused)', FAULTS.down, () => `suspense: cannot reach DynamoDB at ${proxy.endpoint}: connection refused (ECONNREFUSED)\n`, SELF_ENDING_TIMEOUT_SECONDS],
    ['accepting and never answering', FAULTS.hang, noAnswer, TIMEOUT_SECONDS],
    ['slower than --timeout (60 s)', FAULTS.slow(60_000), noAnswer, TIMEOUT_SECONDS],
    [
      'throttling (ProvisionedThroughputExceededException)',
      FAULTS.throttle,
      // Throttled requests are retried with a growing pause; whichever comes first, the last refusal or the deadline.
      () =>
        new RegExp(
          `^suspense: (DynamoDB refused the request for table "switches": ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput \\(injected by the fault proxy\\)\\.|no answer from DynamoDB within ${TIMEOUT_SECONDS}s \\(${escaped(proxy.endpoint)}\\))\n$`,
        ),
      TIMEOUT_SECONDS,
    ],
    [
      'throttling (ThrottlingException)',
      FAULTS.throttlingException,
      () =>
        new RegExp(
          `^suspense: (DynamoDB refused the request for table "switches": ThrottlingException: Rate of requests exceeds the allowed throughput \\(injected by the fault proxy\\)\\.|no answer from DynamoDB within ${TIMEOUT_SECONDS}s \\(${escaped(proxy.endpoint)}\\))\n$`,
        ),
      TIMEOUT_SECONDS,
    ],
    // One clear line naming DynamoDB and its endpoint (the exact wording for a reset is asserted below).
    ['resetting every connection', FAULTS.refuse, () => new RegExp(`^suspense: [^\\n]*DynamoDB[^\\n]*${escaped(proxy.endpoint)}[^\\n]*\n$`), SELF_ENDING_TIMEOUT_SECONDS],
    ['losing every answer', FAULTS.loseAnswers, () => new RegExp(`^suspense: [^\\n]*DynamoDB[^\\n]*${escaped(proxy.endpoint)}[^\\n]*\n$`), SELF_ENDING_TIMEOUT_SECONDS],
  ] as const)(
    'DynamoDB %s: suspend, resume, status and list exit 1 within --timeout plus start-up, with one clear line, and change nothing',
    async (fault, mode, expectedLine, timeoutSeconds) => {
      const { results, before, after } = await underFault(mode, timeoutSeconds);

      for (const result of results) {
        expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
        const expected = expectedLine();
        if (typeof expected === 'string') expect(result.stderr).toBe(expected);
        else expect(result.stderr).toMatch(expected);
      }
      const slowestMs = Math.max(...results.map((result) => result.ms));
      const boundMs = timeoutSeconds * 1000 + START_UP_ALLOWANCE_MS;
      printFigure(`CLI under fault "${fault}", slowest of 4 commands with --timeout ${timeoutSeconds}`, slowestMs, 'ms', boundMs);
      expect(slowestMs).toBeLessThanOrEqual(boundMs);
      expect(after).toEqual(before);
    },
  );

  it('applies a suspend exactly once when DynamoDB loses every other answer (the SDK retries, the library recognises its own write)', async () => {
    const table = { client: dynamo.client, tableName: TABLE };
    const before = await getSwitch(table, 'global');
    await proxy.setMode(FAULTS.loseEveryNthAnswer(2));

    const result = await runCli(['suspend', 'global', '--reason', 'lossy network', '--json'], { env: cliEnv() });
    await proxy.setMode(FAULTS.pass);

    const after = await getSwitch(table, 'global');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(before.kind === 'record' && after.kind === 'record').toBe(true);
    if (before.kind !== 'record' || after.kind !== 'record') return;
    expect(after.record).toMatchObject({ suspended: true, reason: 'lossy network', version: before.record.version + 1 });
    expect(JSON.parse(result.stdout)).toMatchObject({ switch: 'global', suspended: true, reason: 'lossy network', version: before.record.version + 1 });
  });

  // The AWS SDK names a reset connection (ECONNRESET) `TimeoutError`: the error code must win over the name.
  it('says the connection was reset when DynamoDB resets it, rather than that it did not answer within --timeout', async () => {
    await proxy.setMode(FAULTS.refuse);
    try {
      const result = await runCli(['status', 'global', '--timeout', String(SELF_ENDING_TIMEOUT_SECONDS)], { env: cliEnv() });

      expect(result).toMatchObject({ code: 1, stdout: '', stderr: `suspense: cannot reach DynamoDB at ${proxy.endpoint}: connection reset (ECONNRESET)\n` });
    } finally {
      await proxy.setMode(FAULTS.pass);
    }
  });
});

describe('suspense CLI given hostile arguments', () => {
  const LONG = 100_000;
  const long = (char: string) => char.repeat(LONG);
  const untilMustBe = /^suspense: --until must be an ISO 8601 time with a zone \(2030-01-31T18:00:00Z\) or a duration such as 30m, 2h, 1d; got ".*" \(see "suspense suspend --help"\)$/;
  const invalidName = /^suspense: invalid switch name ".*": use 1-64 characters of A-Z a-z 0-9 \. _ -$/;
  const unknownOption = (option: string, command: string) => `suspense: unknown option "${option}" for "${command}" (see "suspense ${command} --help")`;

  /** [what, arguments, the line on stderr (exact, or a pattern)] */
  const HOSTILE: readonly (readonly [string, readonly string[], string | RegExp])[] = [
    // Names
    ['a name of 100 000 characters', ['suspend', long('a'), '--reason', 'x'], `suspense: invalid switch name "${'a'.repeat(60)}…": use 1-64 characters of A-Z a-z 0-9 . _ -`],
    ['a name in mathematical letters', ['status', '\u{1d524}\u{1d529}\u{1d52c}\u{1d51f}\u{1d51e}\u{1d529}'], 'suspense: invalid switch name "\\u{1d524}\\u{1d529}\\u{1d52c}\\u{1d51f}\\u{1d51e}\\u{1d529}": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['a name in fullwidth letters', ['suspend', '\uff47\uff4c\uff4f\uff42\uff41\uff4c', '--reason', 'x'], invalidName],
    ['a name with a combining accent', ['resume', 'globa\u0301l'], 'suspense: invalid switch name "globa\\u0301l": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['a name with a zero-width joiner', ['suspend', 'glob\u200dal', '--reason', 'x'], 'suspense: invalid switch name "glob\\u200dal": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['an emoji name', ['status', '\u{1f6a8}'], 'suspense: invalid switch name "\\u{1f6a8}": use 1-64 characters of A-Z a-z 0-9 . _ -'],
    ['a right-to-left name', ['resume', '\u05e9\u05dc\u05d5\u05dd'], invalidName],
    ['a name that looks like an option', ['suspend', '-global', '--reason', 'x'], unknownOption('-g', 'suspend')],
    // Reasons
    ['a reason of 100 000 characters', ['suspend', 'global', '--reason', long('x')], 'suspense: reason is 100000 characters long; the limit is 500'],
    ['a reason of 501 emoji', ['suspend', 'global', '--reason', '\u{1f600}'.repeat(501)], 'suspense: reason is 501 characters long; the limit is 500'],
    ['a reason with a line separator', ['suspend', 'global', '--reason', 'one\u2028two'], 'suspense: reason must be one line of printable text (no control characters)'],
    ['a reason with a right-to-left override', ['suspend', 'global', '--reason', '\u202eevil'], 'suspense: reason must be one line of printable text (no control characters)'],
    ['a reason of no-break spaces', ['suspend', 'global', '--reason', '\u00a0\u00a0'], 'suspense: reason must not be empty'],
    ['an empty reason on resume', ['resume', 'global', '--reason', ''], 'suspense: reason must not be empty'],
    // Durations
    ...['1e3h', '0x10m', ' 1h', '1h ', '1H', '\u0661h', '9007199254740993m', '1m1s', 'PT1H', 'Infinity', 'NaN', '0'].map(
      (until) => [`--until ${JSON.stringify(until)}`, ['suspend', 'global', '--reason', 'x', '--until', until], untilMustBe] as const,
    ),
    // Timestamps
    ...['2031-01-01T00:00:00.0000000000Z', '+012031-01-01T00:00:00Z', '2031-1-1T00:00:00Z', '2031-01-01t00:00:00z', '2031-01-01 00:00:00Z', '99999-01-01T00:00:00Z', long('x')].map(
      (until) => [`--until ${JSON.stringify(until.slice(0, 40))}`, ['suspend', 'global', '--reason', 'x', '--until', until], untilMustBe] as const,
    ),
    ['--until at hour 24', ['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T24:00:00Z'], 'suspense: --until "2031-01-01T24:00:00Z" is not a valid date and time (see "suspense suspend --help")'],
    ['--until at second 60', ['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T00:00:60Z'], 'suspense: --until "2031-01-01T00:00:60Z" is not a valid date and time (see "suspense suspend --help")'],
    ['a negative --until', ['suspend', 'global', '--reason', 'x', '--until', '-1'], 'suspense: option --until needs a value (to give one that starts with "-", write --until=<value>) (see "suspense suspend --help")'],
    // Flags
    ['an option in capitals', ['list', '--TABLE', TABLE], unknownOption('--TABLE', 'list')],
    ['an option with three dashes', ['list', '---json'], unknownOption('---json', 'list')],
    ['an option without a name', ['list', '--=x'], unknownOption('--=x', 'list')],
    ['a negated flag', ['list', '--no-json'], unknownOption('--no-json', 'list')],
    ['--constructor', ['list', '--constructor'], unknownOption('--constructor', 'list')],
    ['--toString', ['status', '--toString'], unknownOption('--toString', 'status')],
    ['--hasOwnProperty', ['resume', 'global', '--hasOwnProperty'], unknownOption('--hasOwnProperty', 'resume')],
    ['--prototype', ['list', '--prototype'], unknownOption('--prototype', 'list')],
    ['an option of 100 000 characters', ['list', `--${long('x')}`], `suspense: unknown option "--${'x'.repeat(58)}…" for "list" (see "suspense list --help")`],
    ['an empty value on a flag', ['list', '--json='], 'suspense: option --json takes no value (see "suspense list --help")'],
    ['--json twice', ['status', 'global', '--json', '--json'], 'suspense: option --json is given more than once (see "suspense status --help")'],
    ['--reason as the last argument', ['suspend', 'global', '--reason'], 'suspense: option --reason needs a value <text> (see "suspense suspend --help")'],
    // Empty and very long values
    ['an empty command', [''], 'suspense: unknown command "" (see "suspense --help")'],
    ['a command of 100 000 characters', [long('x')], `suspense: unknown command "${'x'.repeat(60)}…" (see "suspense --help")`],
    ['help on a command of 100 000 characters', ['help', long('x')], `suspense: unknown command "${'x'.repeat(60)}…" (see "suspense --help")`],
    ['an empty --table', ['list', '--table', ''], 'suspense: invalid table name "" from --table: use 3-255 characters of A-Z a-z 0-9 _ . - (see "suspense list --help")'],
    ['a --table of 300 characters', ['list', '--table', 'x'.repeat(300)], /^suspense: invalid table name "x{60}…" from --table: use 3-255 characters/],
    ['an empty --timeout', ['list', '--timeout', ''], 'suspense: --timeout must be a number of seconds above 0 and at most 900, got "" (see "suspense list --help")'],
    ['a --timeout of 400 digits', ['list', '--timeout', '1'.repeat(400)], /^suspense: --timeout must be a number of seconds above 0 and at most 900, got "1{60}…"/],
    ['--timeout in exponent form', ['list', '--timeout', '1e3'], 'suspense: --timeout must be a number of seconds above 0 and at most 900, got "1e3" (see "suspense list --help")'],
    ['--timeout Infinity', ['list', '--timeout', 'Infinity'], 'suspense: --timeout must be a number of seconds above 0 and at most 900, got "Infinity" (see "suspense list --help")'],
    ['an empty --region', ['list', '--region', ''], 'suspense: invalid --region "" (see "suspense list --help")'],
    ['a --region of 100 000 characters', ['list', '--region', long('x')], `suspense: invalid --region "${'x'.repeat(60)}…" (see "suspense list --help")`],
    ['an empty --stack', ['list', '--stack', ''], 'suspense: invalid stack name "": use letters, digits, _ and - (see "suspense list --help")'],
    ['a --stack of 100 000 characters', ['status', '--stack', long('x')], /^suspense: invalid stack name "x{60}…": use letters, digits, _ and -/],
    ['a --by of 100 000 characters', ['resume', 'global', '--by', long('b')], 'suspense: operator (updatedBy) is 100000 characters long; the limit is 330'],
    ['an --if-version of 30 digits', ['suspend', 'global', '--reason', 'x', '--if-version', '1'.repeat(30)], /^suspense: --if-version must be a whole number from 0, got "1+…"/],
    ['a fractional --if-version', ['resume', 'global', '--if-version', '1.5'], 'suspense: --if-version must be a whole number from 0, got "1.5" (see "suspense resume --help")'],
  ];

  let before: Awaited<ReturnType<typeof tableSnapshot>>;
  let results: CliResult[];

  beforeAll(async () => {
    await proxy.setMode(FAULTS.pass);
    before = await tableSnapshot(dynamo.client, TABLE);
    proxy.reset();
    // Against a working DynamoDB: an argument wrongly accepted would reach the table, and the snapshot would show it.
    results = await inBatches(HOSTILE.map(([, args]) => () => runCli(args, { env: cliEnv() })));
  });

  it.each(HOSTILE.map(([what, , expected], index) => [what, index, expected] as const))('exits 2 for %s, with one short printable line', (_what, index, expected) => {
    const result = results[index]!;
    const line = result.stderr.replace(/\n$/, '');

    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    // One line of printable ASCII (non-ASCII input is shown escaped), cut short however long the input.
    expect(result.stderr).toMatch(/^suspense: [\x20-\x7e…]*\n$/);
    expect(line.length).toBeLessThanOrEqual(300);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });

  it(`sends nothing to DynamoDB for any of the ${HOSTILE.length} and leaves the table exactly as it was`, async () => {
    expect(proxy.counts()).toEqual({});
    expect(await tableSnapshot(dynamo.client, TABLE)).toEqual(before);
  });

  it('treats switches named like prototype properties as ordinary switches', async () => {
    const env = { ...baseEnv(dynamo.endpoint), SUSPENSE_TABLE: 'prototypes' };
    await dynamo.createSwitchTable('prototypes');

    const suspended = await runCli(['suspend', '__proto__', '--reason', 'prototype names are names', '--json'], { env });
    const status = await runCli(['status', '__proto__', '--json'], { env });
    const constructor = await runCli(['status', 'constructor', '--json'], { env });

    expect(suspended).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(status.stdout)).toMatchObject({ switch: '__proto__', suspended: true, reason: 'prototype names are names', version: 1 });
    expect(constructor).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(constructor.stdout)).toMatchObject({ switch: 'constructor', suspended: false });
  });

  // AbortSignal.timeout takes whole milliseconds only.
  it('takes a --timeout whose milliseconds are not whole, such as 1.0005', async () => {
    const result = await runCli(['list', '--timeout', '1.0005'], { env: { ...cliEnv(), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' } });

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'suspense: cannot reach DynamoDB at http://127.0.0.1:9: connection refused (ECONNREFUSED)\n' });
  });

  it('refuses a UTC offset beyond 14 hours such as +14:01, as it refuses +15:00', async () => {
    const result = await runCli(['suspend', 'global', '--reason', 'x', '--until', '2031-01-01T00:00:00+14:01'], { env: { ...cliEnv(), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' } });

    expect(result).toMatchObject({ code: 2, stderr: 'suspense: --until "2031-01-01T00:00:00+14:01" is not a valid date and time (see "suspense suspend --help")\n' });
  });
});
