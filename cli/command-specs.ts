/**
 * The commands and options the CLI accepts, with their help text: parsing and `--help` read the same table, so
 * the two cannot disagree.
 */
import { MAX_HISTORY_ENTRIES, MAX_REASON_LENGTH } from '../functions/switch/schema';
import { MAX_DURATION_DAYS } from './until';

export type CommandName = 'suspend' | 'resume' | 'status' | 'list' | 'history' | 'invoke';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** e.g. `<text>`; empty for flags. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: CommandName;
  /** Positional arguments, as shown in the usage line. */
  readonly args: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly summary: string;
  readonly description: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
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
const tableOptions: Record<string, OptionSpec> = {
  table: { type: 'string', value: '<name>', help: 'switch table (default: the --stack output table_name, else $SUSPENSE_TABLE)' },
  stack,
  region,
  timeout: { type: 'string', value: '<seconds>', help: `give up after this long (default ${DEFAULT_TABLE_TIMEOUT_SECONDS})` },
  json,
  help,
};
const writeOptions: Record<string, OptionSpec> = {
  by: { type: 'string', value: '<name>', help: 'who, recorded as updatedBy (default: $USER@hostname)' },
  'if-version': {
    type: 'string',
    value: '<n>',
    help: 'write only if the switch is at version n (0: no item yet), else fail; by default a write that meets a concurrent one is re-applied on the fresh state',
  },
};

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  suspend: {
    name: 'suspend',
    args: '<switch>',
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
      ...writeOptions,
      ...tableOptions,
    },
    examples: [
      'suspense suspend global --reason "deploy freeze" --until 2h --stack suspense-dev',
      'suspense suspend orders --reason "INC-1234" --until 2030-01-31T18:00:00Z --table suspense-switches-dev',
    ],
  },
  resume: {
    name: 'resume',
    args: '<switch>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'resume a switch (the check answers 200 again)',
    description: 'Resume a switch: it is active again; its until is removed, and its reason replaced by --reason or removed.',
    options: {
      reason: { type: 'string', value: '<text>', help: `why (optional; 1-${MAX_REASON_LENGTH} characters on one line)` },
      ...writeOptions,
      ...tableOptions,
    },
    examples: ['suspense resume global --reason "freeze over" --stack suspense-dev', 'suspense resume orders --if-version 4'],
  },
  status: {
    name: 'status',
    args: '[<switch>]',
    minArgs: 0,
    maxArgs: 1,
    summary: 'show one switch, or every switch',
    description: 'Show a switch as stored and whether it is suspended now; without a switch, every switch. A switch without an item is active.',
    options: tableOptions,
    examples: ['suspense status global', 'suspense status --json --stack suspense-dev'],
  },
  list: {
    name: 'list',
    args: '',
    minArgs: 0,
    maxArgs: 0,
    summary: 'list every switch that has an item',
    description: 'List every switch that has an item in the table, sorted by name.',
    options: tableOptions,
    examples: ['suspense list', 'SUSPENSE_TABLE=suspense-switches-dev suspense list --json'],
  },
  history: {
    name: 'history',
    args: '<switch>',
    minArgs: 1,
    maxArgs: 1,
    summary: 'show who changed a switch, when and why, newest first',
    description: `Show the switch's recorded changes, newest first: version, state, reason, until, who and when. The last ${MAX_HISTORY_ENTRIES} changes are kept.`,
    options: {
      limit: { type: 'string', value: '<n>', help: `show at most the n newest changes (1-${MAX_HISTORY_ENTRIES}; default all)` },
      ...tableOptions,
    },
    examples: ['suspense history global --stack suspense-dev', 'suspense history orders --limit 5 --json'],
  },
  invoke: {
    name: 'invoke',
    args: '',
    minArgs: 0,
    maxArgs: 0,
    summary: "test-invoke a deployed function, like the Lambda console's Test button",
    description:
      'Invoke a function synchronously with its log tail (Lambda Invoke, LogType Tail) and print the status, any function error, the payload and the decoded log tail. Exits 1 when the function reports an error.',
    options: {
      function: { type: 'string', value: '<name>', help: 'function name or ARN (default: the --stack output function_name)' },
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
  },
};

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

export function globalHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => commandLine(c).length));
  return [
    'Usage: suspense <command> [options]',
    '',
    'Operate the shared suspend switches of AWS Lambda functions, stored in DynamoDB.',
    '',
    'Commands:',
    ...Object.values(COMMANDS).flatMap((c) =>
      wrap(c.summary, HELP_WIDTH - width - 4).map((part, i) => `  ${(i === 0 ? commandLine(c) : '').padEnd(width)}  ${part}`),
    ),
    `  ${'help [<command>]'.padEnd(width)}  show help for a command`,
    '',
    'Every command takes --json and -h/--help; run "suspense <command> --help" for its options.',
    'Table: --table, else the output table_name of --stack <stack>, else $SUSPENSE_TABLE.',
    'Endpoints: the AWS SDK reads AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_LAMBDA (e.g. a local sandbox).',
    'Switch names: 1-64 characters of A-Z a-z 0-9 . _ -',
    '',
    'Exit codes: 0 success;',
    '            1 failure (AWS error, unreachable endpoint, timeout, conflicting write, function error);',
    '            2 bad usage or input (nothing was changed).',
    '',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;
    return [flag, option.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: suspense ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`,
    '',
    ...wrap(spec.description, HELP_WIDTH),
    '',
    'Options:',
    ...rows.flatMap(([flag, text]) =>
      wrap(text, HELP_WIDTH - width - 4).map((part, i) => `  ${(i === 0 ? flag : '').padEnd(width)}  ${part}`),
    ),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** Help lines stay readable in an 100-column terminal. */
const HELP_WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function commandLine(spec: CommandSpec): string {
  const required =
    spec.name === 'suspend' ? ' --reason <text> [--until <time>]' : spec.name === 'invoke' ? ' --function <name> | --stack <stack>' : '';
  return `${spec.name}${spec.args ? ` ${spec.args}` : ''}${required}`;
}
