/**
 * Option values as the commands' parsers read them: each checked here, once, before anything is read or written
 * (and before the AWS SDK is loaded). A bad value is a UsageError: exit 2, nothing changed.
 */
import { quote } from '../functions/switch/switch-input';
import { TABLE_NAME_PATTERN } from '../functions/switch/schema';
import type { CliIo } from './cli-io';
import type { CommandArguments } from './command-line';
import { UsageError } from './errors';

/** The value of a string option, when given. */
export function stringOption(line: CommandArguments, name: string): string | undefined {
  const value = line.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function flagOption(line: CommandArguments, name: string): boolean {
  return line.options.get(name) === true;
}

/** What every command that talks to AWS takes. */
export interface CommonOptions {
  /** --json: machine-readable output. */
  readonly json: boolean;
  /** --timeout: the command's overall deadline, retries included. */
  readonly timeoutSeconds: number;
  /** --region; else the --stack ARN outputs' region, else the SDK's. */
  readonly region?: string;
}

export function commonOptions(line: CommandArguments, defaultTimeoutSeconds: number): CommonOptions {
  const region = regionOption(line);
  return {
    json: flagOption(line, 'json'),
    timeoutSeconds: timeoutSeconds(line, defaultTimeoutSeconds),
    ...(region === undefined ? {} : { region }),
  };
}

/** Where a command's resource name comes from; a --stack is read (with Terraform) only when the command runs. */
export type ResourceSource =
  | { readonly from: 'flag' | 'environment'; readonly name: string }
  | { readonly from: 'stack'; readonly stack: string };

/**
 * --<flag>, else --stack, else the environment variable. Flags beat the environment: a SUSPENSE_TABLE left exported
 * from a sandbox session must not redirect `--stack suspense-prod`.
 */
export function resourceSource(
  line: CommandArguments,
  env: NodeJS.ProcessEnv,
  resource: { readonly flag: string; readonly variable: string; readonly what: string; readonly check: (name: string, from: string) => void },
): ResourceSource {
  const flag = stringOption(line, resource.flag);
  const stack = stringOption(line, 'stack');
  if (flag !== undefined && stack !== undefined) throw new UsageError(`pass --${resource.flag} or --stack, not both`, line.command);
  if (flag !== undefined) {
    resource.check(flag, `--${resource.flag}`);
    return { from: 'flag', name: flag };
  }
  if (stack !== undefined) return { from: 'stack', stack };
  const fromEnv = env[resource.variable];
  if (fromEnv) {
    resource.check(fromEnv, resource.variable);
    return { from: 'environment', name: fromEnv };
  }
  throw new UsageError(`no ${resource.what}: pass --${resource.flag} <name> or --stack <stack>, or set ${resource.variable}`, line.command);
}

/** The switch table: --table, else the --stack output `table_name`, else $SUSPENSE_TABLE. */
export function tableSource(line: CommandArguments, io: CliIo): ResourceSource {
  return resourceSource(line, io.env, { flag: 'table', variable: 'SUSPENSE_TABLE', what: 'switch table', check: (name, from) => checkTableName(name, from, line.command) });
}

export function checkTableName(name: string, from: string, command: string): string {
  if (!TABLE_NAME_PATTERN.test(name)) throw new UsageError(`invalid table name ${quote(name)} from ${from}: use 3-255 characters of A-Z a-z 0-9 _ . -`, command);
  return name;
}

/** Longest --timeout: the longest a Lambda function may run. */
const MAX_TIMEOUT_SECONDS = 900;

function timeoutSeconds(line: CommandArguments, fallback: number): number {
  const raw = stringOption(line, 'timeout');
  if (raw === undefined) return fallback;
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, got ${quote(raw)}`, line.command);
  }
  return seconds;
}

const REGION = /^[a-z]{2}(-[a-z0-9]+){1,4}$/;

function regionOption(line: CommandArguments): string | undefined {
  const region = stringOption(line, 'region');
  if (region !== undefined && !REGION.test(region)) throw new UsageError(`invalid --region ${quote(region)}`, line.command);
  return region;
}

/** A whole number option, e.g. --if-version. */
export function wholeNumberOption(line: CommandArguments, name: string, limits: { readonly min: number; readonly max: number }): number | undefined {
  const raw = stringOption(line, name);
  if (raw === undefined) return undefined;
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= limits.min && value <= limits.max)) {
    const range = limits.max === Number.MAX_SAFE_INTEGER ? `from ${limits.min}` : `from ${limits.min} to ${limits.max}`;
    throw new UsageError(`--${name} must be a whole number ${range}, got ${quote(raw, 20)}`, line.command);
  }
  return value;
}
