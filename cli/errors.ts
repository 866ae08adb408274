/**
 * What can go wrong in the CLI, and the one line an operator reads about it. Expected failures never print a
 * stack trace: the message says what happened and what to do.
 */
import { SwitchInputError } from '../functions/switch/switch-input';

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

/** What the failing command talks to, filled in as the command learns it, for messages about AWS errors. */
export interface FailureContext {
  service?: 'DynamoDB' | 'Lambda';
  /** e.g. `table "switches"`, `function "suspense-check-dev"`. */
  subject?: string;
  timeoutSeconds?: number;
}

export interface DescribedFailure {
  readonly exitCode: number;
  readonly message: string;
  /** Not an anticipated failure: worth a stack trace when debugging. */
  readonly unexpected: boolean;
}

export function describeFailure(error: unknown, context: FailureContext = {}): DescribedFailure {
  if (error instanceof UsageError) {
    const help = error.command ? `suspense ${error.command} --help` : 'suspense --help';
    return { exitCode: EXIT.usage, message: `${error.message} (see "${help}")`, unexpected: false };
  }
  if (error instanceof SwitchInputError) return { exitCode: EXIT.usage, message: error.message, unexpected: false };
  if (!(error instanceof Error)) return { exitCode: EXIT.failure, message: `failed: ${String(error)}`, unexpected: true };
  if (error instanceof CliFailure) return { exitCode: EXIT.failure, message: error.message, unexpected: false };
  // Errors of the switch library: their messages are written for operators.
  if (error.name === 'SwitchConflictError' || error.name === 'SwitchWriteUnconfirmedError') {
    return { exitCode: EXIT.failure, message: error.message, unexpected: false };
  }
  const aws = describeAwsError(error, context);
  return aws
    ? { exitCode: EXIT.failure, message: aws, unexpected: false }
    : { exitCode: EXIT.failure, message: `unexpected error: ${error.name}: ${error.message}`, unexpected: true };
}

function describeAwsError(error: Error, context: FailureContext): string | undefined {
  const service = context.service ?? 'AWS';
  const subject = context.subject ?? 'the resource';
  if ((error as { code?: unknown }).code === 'ERR_INVALID_URL') {
    const input = (error as { input?: unknown }).input;
    return `the ${service} endpoint ${typeof input === 'string' ? `"${printableText(input)}" ` : ''}is not a URL (check ${endpointVariable(context.service)})`;
  }
  const code = networkCode(error);
  // Checked first: the SDK names some network failures TimeoutError (a reset socket among them), and a
  // connection that was refused or reset must not read as "no answer within --timeout".
  if (code && !code.startsWith('ETIMEDOUT')) return `cannot reach ${service} at ${endpointOf(context.service)}: ${code}`;
  if (isTimeout(error)) {
    const within = context.timeoutSeconds === undefined ? '' : ` within ${context.timeoutSeconds}s`;
    return `no answer from ${service}${within} (${endpointOf(context.service)})`;
  }
  if (error.name === 'ResourceNotFoundException') return `${service}: ${subject} not found (${error.name}: ${error.message})`;
  if (error.name === 'CredentialsProviderError' || (/credential/i.test(error.message) && !hasServiceFault(error))) {
    return `no usable AWS credentials: ${error.message}`;
  }
  if (/region is missing/i.test(error.message)) return 'no AWS region: set AWS_REGION or pass --region';
  if (hasServiceFault(error)) return `${service} refused the request for ${subject}: ${error.name}: ${error.message}`;
  return undefined;
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

function endpointVariable(service: FailureContext['service']): string {
  return service === 'Lambda' ? 'AWS_ENDPOINT_URL_LAMBDA' : service === 'DynamoDB' ? 'AWS_ENDPOINT_URL_DYNAMODB' : 'AWS_ENDPOINT_URL';
}

function endpointOf(service: FailureContext['service']): string {
  return process.env[endpointVariable(service)] || process.env.AWS_ENDPOINT_URL || 'the regional endpoint';
}

/** Text from the environment, cut short and with control characters dropped, for a one-line message. */
function printableText(text: string): string {
  return text.replace(/[^\u0020-\u007e]/g, '?').slice(0, 80);
}

/**
 * One line of printable text: messages may carry values from the command line, the table or AWS, and must not
 * span lines or smuggle terminal control sequences.
 */
export function oneLine(text: string, maxLength = 600): string {
  const flat = text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  const chars = [...flat];
  return chars.length > maxLength ? `${chars.slice(0, maxLength).join('')}…` : flat;
}
