import { quote } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import { UsageError } from './errors';
import { readStackResource, type StackResource } from './stack-outputs';
import { TABLE_NAME_PATTERN } from '../functions/switch/schema';

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

/**
 * A note for stderr when --stack names a deployed stack while an endpoint variable sends the requests elsewhere
 * (typically left exported from a sandbox session): the command would act on that endpoint, not on the stack.
 */
export function endpointOverrideNote(options: Options, env: NodeJS.ProcessEnv, variable: 'AWS_ENDPOINT_URL_DYNAMODB' | 'AWS_ENDPOINT_URL_LAMBDA'): string | undefined {
  const stack = stringOption(options, 'stack');
  const endpoint = env[variable] ? { url: env[variable], from: variable } : env.AWS_ENDPOINT_URL ? { url: env.AWS_ENDPOINT_URL, from: 'AWS_ENDPOINT_URL' } : undefined;
  if (stack === undefined || endpoint === undefined) return undefined;
  return `suspense: note: names come from stack ${stack}, but requests go to ${endpoint.url} (${endpoint.from} is set)\n`;
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


/**
 * The switch table: --table, else the --stack output `table_name` (with the region of `table_arn`), else
 * $SUSPENSE_TABLE. Flags beat the
 * environment: a SUSPENSE_TABLE left exported from a sandbox session must not redirect `--stack suspense-prod`.
 */
export async function resolveTable(options: Options, io: CliIo, command: string): Promise<StackResource> {
  const flag = stringOption(options, 'table');
  const stack = stringOption(options, 'stack');
  if (flag !== undefined && stack !== undefined) throw new UsageError('pass --table or --stack, not both', command);
  if (flag !== undefined) return { name: checkTableName(flag, '--table', command) };
  if (stack !== undefined) {
    const table = await readStackResource(stack, 'table_name', command, io.cwd);
    return { ...table, name: checkTableName(table.name, `stack ${stack} output table_name`, command) };
  }
  const fromEnv = io.env.SUSPENSE_TABLE;
  if (fromEnv) return { name: checkTableName(fromEnv, 'SUSPENSE_TABLE', command) };
  throw new UsageError('no switch table: pass --table <name> or --stack <stack>, or set SUSPENSE_TABLE', command);
}

function checkTableName(name: string, source: string, command: string): string {
  if (!TABLE_NAME_PATTERN.test(name)) throw new UsageError(`invalid table name ${quote(name)} from ${source}: use 3-255 characters of A-Z a-z 0-9 _ . -`, command);
  return name;
}
