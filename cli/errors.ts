/**
 * What can go wrong in the CLI, and the one line an operator reads about it. Expected failures never print a
 * stack trace: the message says what happened and what to do.
 */
import { SwitchInputError } from '../functions/switch/switch-input';
import { SwitchConflictError, SwitchWriteUnconfirmedError } from '../functions/switch/switch-write-errors';
import { terminalText } from './terminal-text';

/** Exit codes: the CLI's contract with scripts. */
export const EXIT = {
  ok: 0,
  /** An AWS error, a conflict, an unreachable endpoint, a timeout, a failing function. */
  failure: 1,
  /** Unknown command or option, missing or invalid argument: nothing was changed. */
  usage: 2,
} as const;

/** Bad command line: exit 2, with a pointer to the help of `command`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A runtime failure whose message is already written for the operator: exit 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** Where a failed request went, for a message that names the service, the resource, the region and the host. */
export interface AwsTarget {
  readonly service: 'DynamoDB' | 'Lambda';
  /** e.g. `table "switches"`, `function "suspense-check-dev"`. */
  readonly subject: string;
  /** The region the client used; absent when none is configured. */
  readonly region?: string;
  /** The endpoint's URL, from an endpoint variable or derived from the region. */
  readonly endpoint: string;
  /** Whether `endpoint` is the region's own (no endpoint variable set). */
  readonly regional: boolean;
  /** The variable that sets (or would set) the endpoint. */
  readonly endpointVariable: string;
  readonly timeoutSeconds: number;
}

/** A request to AWS failed; `target` says where it went. */
export class AwsRequestFailure extends Error {
  override readonly name = 'AwsRequestFailure';
  constructor(
    readonly target: AwsTarget,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface DescribedFailure {
  readonly exitCode: number;
  readonly message: string;
  /** Not an anticipated failure: worth a stack trace when debugging. */
  readonly unexpected: boolean;
}

export function describeFailure(error: unknown): DescribedFailure {
  if (error instanceof UsageError) {
    const help = error.command ? `suspense ${error.command} --help` : 'suspense --help';
    return { exitCode: EXIT.usage, message: `${error.message} (see "${help}")`, unexpected: false };
  }
  if (error instanceof SwitchInputError) return { exitCode: EXIT.usage, message: error.message, unexpected: false };
  if (isWrittenForOperators(error)) return { exitCode: EXIT.failure, message: error.message, unexpected: false };
  if (error instanceof AwsRequestFailure) {
    const { cause, target } = error;
    if (cause instanceof UsageError || cause instanceof SwitchInputError || isWrittenForOperators(cause)) return describeFailure(cause);
    const aws = cause instanceof Error ? describeAwsError(cause, target) : undefined;
    return aws ? { exitCode: EXIT.failure, message: aws, unexpected: false } : describeUnexpected(cause);
  }
  return describeUnexpected(error);
}

/** Failures whose message already says what happened and what to do: ours, and the switch library's. */
function isWrittenForOperators(error: unknown): error is Error {
  return error instanceof CliFailure || error instanceof SwitchConflictError || error instanceof SwitchWriteUnconfirmedError;
}

function describeUnexpected(error: unknown): DescribedFailure {
  const message = error instanceof Error ? `unexpected error: ${error.name}: ${error.message}` : `failed: ${String(error)}`;
  return { exitCode: EXIT.failure, message, unexpected: true };
}

function describeAwsError(error: Error, target: AwsTarget): string | undefined {
  const { service, subject } = target;
  if ((error as { code?: unknown }).code === 'ERR_INVALID_URL') {
    const input = (error as { input?: unknown }).input;
    return `the ${service} endpoint ${typeof input === 'string' ? `"${terminalText(input, { maxLength: 80 })}" ` : ''}is not a URL (check ${target.endpointVariable})`;
  }
  const code = networkCode(error);
  // Checked first: the SDK names some network failures TimeoutError (a reset socket among them), and a
  // connection that was refused or reset must not read as "no answer within --timeout".
  if (code && !code.startsWith('ETIMEDOUT')) return `cannot reach ${service} at ${where(target)}: ${code}`;
  if (isTimeout(error)) return `no answer from ${service} within ${target.timeoutSeconds}s (${where(target, ', ')})`;
  if (error.name === 'ResourceNotFoundException') {
    // The usual cause is the wrong region (or endpoint): name both.
    const region = target.region === undefined ? '' : ` in region ${target.region}`;
    return `${service}: ${subject} not found${region} at ${target.endpoint} (${error.name}: ${error.message})`;
  }
  if (error.name === 'CredentialsProviderError' || (/credential/i.test(error.message) && !hasServiceFault(error))) {
    return `no usable AWS credentials: ${error.message}`;
  }
  if (/region is missing/i.test(error.message)) return 'no AWS region: set AWS_REGION or pass --region';
  if (hasServiceFault(error)) {
    const region = target.regional && target.region !== undefined ? ` in region ${target.region}` : '';
    return `${service} refused the request for ${subject}${region}: ${error.name}: ${error.message}`;
  }
  return undefined;
}

/** The endpoint, and the region it belongs to when it is the region's own: `url (region r)`, or `url, region r`. */
function where(target: AwsTarget, separator?: ', '): string {
  if (!target.regional || target.region === undefined) return target.endpoint;
  return separator ? `${target.endpoint}${separator}region ${target.region}` : `${target.endpoint} (region ${target.region})`;
}

function isTimeout(error: Error): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error as { code?: unknown }).code === 'ETIMEDOUT' ||
    (cause instanceof Error && cause.name === 'TimeoutError')
  );
}

/** ECONNREFUSED and friends, also when Node wraps several connection attempts in an AggregateError. */
function networkCode(error: Error): string | undefined {
  const codes = [error, ...((error as { errors?: unknown[] }).errors ?? [])]
    .map((e) => (e as { code?: unknown } | null)?.code)
    .filter((c): c is string => typeof c === 'string' && /^E[A-Z]+$/.test(c));
  const code = codes[0];
  if (!code) return undefined;
  const explained: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EPIPE: 'connection closed',
  };
  return explained[code] ? `${explained[code]} (${code})` : code;
}

function hasServiceFault(error: Error): boolean {
  const fault = (error as { $fault?: unknown }).$fault;
  return fault === 'client' || fault === 'server';
}
