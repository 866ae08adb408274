/** `--help`, rendered from the same table the parser reads (COMMANDS), so the two cannot disagree. */
import { COMMANDS, type CommandSpec } from './commands';

export function globalHelp(): string {
  const specs: readonly CommandSpec[] = Object.values(COMMANDS);
  const width = Math.max(...specs.map((c) => commandLine(c).length));
  return [
    'Usage: suspense <command> [options]',
    '',
    'Operate the shared suspend switches of AWS Lambda functions, stored in DynamoDB.',
    '',
    'Commands:',
    ...specs.flatMap((c) => wrap(c.summary, HELP_WIDTH - width - 4).map((part, i) => `  ${(i === 0 ? commandLine(c) : '').padEnd(width)}  ${part}`)),
    `  ${'help [<command>]'.padEnd(width)}  show help for a command`,
    '',
    'Every command takes --json and -h/--help; run "suspense <command> --help" for its options.',
    'Table: --table, else the output table_name of --stack <stack>, else $SUSPENSE_TABLE.',
    'Function (invoke): --function, else the output function_name of --stack <stack>, else $SUSPENSE_FUNCTION.',
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
    ...rows.flatMap(([flag, text]) => wrap(text, HELP_WIDTH - width - 4).map((part, i) => `  ${(i === 0 ? flag : '').padEnd(width)}  ${part}`)),
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
  return `${spec.name}${spec.args ? ` ${spec.args}` : ''}${spec.usage ?? ''}`;
}
