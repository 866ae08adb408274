/**
 * Every command of the CLI, one entry each: its usage and options (which the tokenizer and `--help` read), the
 * parse that turns its command line into one complete, typed command, and the module that runs it. `parse` checks
 * everything (the library's own rules for switch input) and throws UsageError or SwitchInputError: exit 2,
 * nothing read or written. `run` is loaded only then, so `--help` and bad input never load the AWS SDK.
 *
 * Adding a command is one entry here (`entry<ItsCommand>({...})`) and the module its `run` loads.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { MAX_HISTORY_ENTRIES, MAX_REASON_LENGTH } from '../functions/switch/schema';
import { validateResumeInput, validateSuspendInput, validateSwitchName, type ValidResumeInput, type ValidSuspendInput } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import type { CommandArguments } from './command-line';
import { UsageError } from './errors';
import { checkFunctionName, CONSOLE_TEST_PAYLOAD, readEventFile } from './invoke-arguments';
import { defaultOperator } from './operator';
import { commonOptions, resourceSource, stringOption, tableSource, wholeNumberOption, type CommonOptions, type ResourceSource } from './option-values';
import { MAX_DURATION_DAYS, parseUntilArgument, untilAt, type UntilArgument } from './until';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** e.g. `<text>`; empty for flags. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** Positional arguments, as shown in the usage line. */
  readonly args: string;
  /** What the overview adds after the arguments, e.g. ` --reason <text>`. @default nothing */
  readonly usage?: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly summary: string;
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
}

export interface CommandEntry<C> extends CommandSpec {
  /** The complete command, every value checked; may read local files (--event), never AWS. */
  parse(line: CommandArguments, io: CliIo): C | Promise<C>;
  /** Loads the module that runs the command (with `require`: see run.ts). */
  run(): (command: C, io: CliIo) => Promise<number>;
}

/** What every parsed command has. */
export interface CommandBase extends CommonOptions {
  /** Its name, for messages that point at its help. */
  readonly command: string;
}

/** A command on the switch table. */
export interface TableCommand extends CommandBase {
  readonly table: ResourceSource;
}
export interface SuspendCommand extends TableCommand {
  /** Everything but `until`, validated. */
  readonly input: Omit<ValidSuspendInput, 'until'>;
  /** Made an instant at the write, where the library checks it is in the future (a duration counts from there). */
  readonly until?: UntilArgument;
}
export interface ResumeCommand extends TableCommand {
  readonly input: ValidResumeInput;
}
export interface StatusCommand extends TableCommand {
  /** Without one: every switch. */
  readonly switch?: string;
  /** Show notes under the table (status), or the rows only (list). */
  readonly notes: boolean;
}
export interface HistoryCommand extends TableCommand {
  readonly switch: string;
  /** Newest entries shown. @default all that are kept */
  readonly limit?: number;
}
export interface InvokeFunctionCommand extends CommandBase {
  readonly function: ResourceSource;
  /** The event, as JSON text. */
  readonly payload: string;
}

/** Default overall time limit of a table command, in seconds. */
export const DEFAULT_TABLE_TIMEOUT_SECONDS = 10;
/** Default overall time limit of `invoke`, in seconds: the function runs inside it. */
export const DEFAULT_INVOKE_TIMEOUT_SECONDS = 60;

const json: OptionSpec = { type: 'boolean', help: 'machine-readable JSON output' };
const help: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };
const region: OptionSpec = { type: 'string', value: '<region>', help: "AWS region (default: the SDK's, e.g. $AWS_REGION)" };
const stack: OptionSpec = {
  type: 'string',
  value: '<stack>',
  help: 'read names from the deployed stack\'s Terraform outputs (cdktf.out/stacks/<stack>), e.g. suspense-dev',
};
export const TABLE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  table: { type: 'string', value: '<name>', help: 'switch table (default: the --stack output table_name, else $SUSPENSE_TABLE)' },
  stack,
  region,
  timeout: { type: 'string', value: '<seconds>', help: `give up after this long (default ${DEFAULT_TABLE_TIMEOUT_SECONDS})` },
  json,
  help,
};
const WRITE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  by: { type: 'string', value: '<name>', help: 'who, recorded as updatedBy (default: $USER@hostname)' },
  'if-version': {
    type: 'string',
    value: '<n>',
    help: 'write only if the switch is at version n (0: no item yet), else fail; by default a write that meets a concurrent one is re-applied on the fresh state',
  },
};

/** The parts every table command shares: --table/--stack/$SUSPENSE_TABLE, --region, --timeout, --json. */
export function tableCommand(line: CommandArguments, io: CliIo): TableCommand {
  return { command: line.command, ...commonOptions(line, DEFAULT_TABLE_TIMEOUT_SECONDS), table: tableSource(line, io) };
}

/** The typed identity of an entry, so that `parse` and `run` agree on the command's type. */
function entry<C>(definition: CommandEntry<C>): CommandEntry<C> {
  return definition;
}

export const COMMANDS = {
  suspend: entry<SuspendCommand>({
    name: 'suspend',
    args: '<switch>',
    usage: ' --reason <text> [--until <time>]',
    minArgs: 1,
    maxArgs: 1,
    summary: 'suspend a switch (the check answers 503 for it)',
    description: 'Suspend a switch: checks of it answer 503 until it is resumed or --until passes.',
    options: {
      reason: { type: 'string', value: '<text>', help: `why (required; 1-${MAX_REASON_LENGTH} characters on one line)` },
      until: {
        type: 'string',
        value: '<time>',
        help: `end the suspension by itself: an ISO 8601 time with a zone (2030-01-31T18:00:00Z) or a duration from now (90s, 30m, 2h, 1d; up to ${MAX_DURATION_DAYS}d)`,
      },
      ...WRITE_OPTIONS,
      ...TABLE_OPTIONS,
    },
    examples: [
      'suspense suspend global --reason "deploy freeze" --until 2h --stack suspense-dev',
      'suspense suspend orders --reason "INC-1234" --until 2030-01-31T18:00:00Z --table suspense-switches-dev',
    ],
    parse(line, io) {
      const reason = stringOption(line, 'reason');
      if (reason === undefined) throw new UsageError('--reason is required: say why the switch is suspended', line.command);
      const untilText = stringOption(line, 'until');
      const now = io.now();
      const until = untilText === undefined ? undefined : parseUntilArgument(untilText, now);
      // Bad input fails here, before AWS is asked anything; `until` is checked against the clock again at the write.
      const { until: _checked, ...input } = validateSuspendInput(
        { name: line.args[0] as string, reason, by: operator(line, io), ...orUndefined('until', until && untilAt(until, now)), ...expectedVersion(line) },
        now,
      );
      return { ...tableCommand(line, io), input, ...orUndefined('until', until) };
    },
    run: () => require('./switch-commands').runSuspend,
  }),
  resume: entry<ResumeCommand>({
    name: 'resume',
    args: '<switch>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'resume a switch (the check answers 200 again)',
    description: 'Resume a switch: it is active again; its until is removed, and its reason replaced by --reason or removed.',
    options: {
      reason: { type: 'string', value: '<text>', help: `why (optional; 1-${MAX_REASON_LENGTH} characters on one line)` },
      ...WRITE_OPTIONS,
      ...TABLE_OPTIONS,
    },
    examples: ['suspense resume global --reason "freeze over" --stack suspense-dev', 'suspense resume orders --if-version 4'],
    parse(line, io) {
      const reason = stringOption(line, 'reason');
      const input = validateResumeInput({ name: line.args[0] as string, by: operator(line, io), ...orUndefined('reason', reason), ...expectedVersion(line) });
      return { ...tableCommand(line, io), input };
    },
    run: () => require('./switch-commands').runResume,
  }),
  status: entry<StatusCommand>({
    name: 'status',
    args: '[<switch>]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'show one switch, or every switch',
    description: 'Show a switch as stored and whether it is suspended now; without a switch, every switch. A switch without an item is active.',
    options: TABLE_OPTIONS,
    examples: ['suspense status global', 'suspense status --json --stack suspense-dev'],
    parse(line, io) {
      const name = line.args[0] === undefined ? undefined : validateSwitchName(line.args[0]);
      return { ...tableCommand(line, io), ...orUndefined('switch', name), notes: true };
    },
    run: () => require('./switch-commands').runStatus,
  }),
  list: entry<StatusCommand>({
    name: 'list',
    args: '',
    minArgs: 0,
    maxArgs: 0,
    summary: 'list every switch that has an item',
    description: 'List every switch that has an item in the table, sorted by name.',
    options: TABLE_OPTIONS,
    examples: ['suspense list', 'SUSPENSE_TABLE=suspense-switches-dev suspense list --json'],
    parse: (line, io) => ({ ...tableCommand(line, io), notes: false }),
    run: () => require('./switch-commands').runStatus,
  }),
  history: entry<HistoryCommand>({
    name: 'history',
    args: '<switch>',
    usage: ' [--limit <n>]',
    minArgs: 1,
    maxArgs: 1,
    summary: 'show who changed a switch, when and why, newest first',
    description: `Show the switch's recorded changes, newest first: version, state, reason, until, who and when. The last ${MAX_HISTORY_ENTRIES} changes are kept.`,
    options: {
      limit: { type: 'string', value: '<n>', help: `show at most the n newest changes (1-${MAX_HISTORY_ENTRIES}; default all)` },
      ...TABLE_OPTIONS,
    },
    examples: ['suspense history global --stack suspense-dev', 'suspense history orders --limit 5 --json'],
    parse: (line, io) => ({
      ...tableCommand(line, io),
      switch: validateSwitchName(line.args[0]),
      ...orUndefined('limit', wholeNumberOption(line, 'limit', { min: 1, max: MAX_HISTORY_ENTRIES })),
    }),
    run: () => require('./history-command').runHistory,
  }),
  invoke: entry<InvokeFunctionCommand>({
    name: 'invoke',
    args: '',
    usage: ' [--function <name> | --stack <stack>]',
    minArgs: 0,
    maxArgs: 0,
    summary: "test-invoke a deployed function, like the Lambda console's Test button",
    description:
      'Invoke a function synchronously with its log tail (Lambda Invoke, LogType Tail) and print the status, any function error, the payload and the decoded log tail. Exits 1 when the function reports an error.',
    options: {
      function: { type: 'string', value: '<name>', help: 'function name or ARN (default: the --stack output function_name, else $SUSPENSE_FUNCTION)' },
      event: {
        type: 'string',
        value: '<file>',
        help: 'JSON event file (default: the console\'s test event {"key1":"value1","key2":"value2","key3":"value3"})',
      },
      stack,
      region,
      timeout: { type: 'string', value: '<seconds>', help: `give up after this long (default ${DEFAULT_INVOKE_TIMEOUT_SECONDS})` },
      json,
      help,
    },
    examples: ['suspense invoke --stack suspense-dev', 'suspense invoke --function suspense-check-dev --event rest-api-event.json --json'],
    async parse(line, io) {
      const source = resourceSource(line, io.env, {
        flag: 'function',
        variable: 'SUSPENSE_FUNCTION',
        what: 'function',
        check: (name, from) => checkFunctionName(name, from, line.command),
      });
      const eventFile = stringOption(line, 'event');
      const payload = eventFile === undefined ? CONSOLE_TEST_PAYLOAD : await readEventFile(eventFile, io, line.command);
      return { command: line.command, ...commonOptions(line, DEFAULT_INVOKE_TIMEOUT_SECONDS), function: source, payload };
    },
    run: () => require('./invoke-command').runInvoke,
  }),
};

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

function operator(line: CommandArguments, io: CliIo): string {
  return stringOption(line, 'by') ?? defaultOperator(io.env);
}

function expectedVersion(line: CommandArguments): { expectedVersion?: number } {
  return orUndefined('expectedVersion', wholeNumberOption(line, 'if-version', { min: 0, max: Number.MAX_SAFE_INTEGER }));
}

/** `{ [key]: value }` to spread, or nothing when value is undefined: optional fields stay absent, not undefined. */
function orUndefined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
