import { quote } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import { UsageError } from './errors';
import { readStackOutput } from './stack-outputs';

type Options = ReadonlyMap<string, string | true>;

/** The value of a string option, when given. */
export function stringOption(options: Options, name: string): string | undefined {
  const value = options.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Longest --timeout: the longest a Lambda function may run. */
const MAX_TIMEOUT_SECONDS = 900;

export function timeoutSeconds(options: Options, command: string, fallback: number): number {
  const raw = stringOption(options, 'timeout');
  if (raw === undefined) return fallback;
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, got ${quote(raw)}`, command);
  }
  return seconds;
}

/** A signal that aborts after `seconds`; AbortSignal.timeout takes whole milliseconds only. */
export function deadlineSignal(seconds: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, Math.ceil(seconds * 1000)));
}

const REGION = /^[a-z]{2}(-[a-z0-9]+){1,4}$/;

export function regionOption(options: Options, command: string): string | undefined {
  const region = stringOption(options, 'region');
  if (region !== undefined && !REGION.test(region)) throw new UsageError(`invalid --region ${quote(region)}`, command);
  return region;
}

/** DynamoDB's own rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * The switch table: --table, else the --stack output `table_name`, else $SUSPENSE_TABLE. Flags beat the
 * environment: a SUSPENSE_TABLE left exported from a sandbox session must not redirect `--stack suspense-prod`.
 */
export async function resolveTableName(options: Options, io: CliIo, command: string): Promise<string> {
  const flag = stringOption(options, 'table');
  const stack = stringOption(options, 'stack');
  if (flag !== undefined && stack !== undefined) throw new UsageError('pass --table or --stack, not both', command);
  if (flag !== undefined) return checkTableName(flag, '--table', command);
  if (stack !== undefined) return checkTableName(await readStackOutput(stack, 'table_name', command, io.cwd), `stack ${stack} output table_name`, command);
  const fromEnv = io.env.SUSPENSE_TABLE;
  if (fromEnv) return checkTableName(fromEnv, 'SUSPENSE_TABLE', command);
  throw new UsageError('no switch table: pass --table <name> or --stack <stack>, or set SUSPENSE_TABLE', command);
}

function checkTableName(name: string, source: string, command: string): string {
  if (!TABLE_NAME.test(name)) throw new UsageError(`invalid table name ${quote(name)} from ${source}: use 3-255 characters of A-Z a-z 0-9 _ . -`, command);
  return name;
}
