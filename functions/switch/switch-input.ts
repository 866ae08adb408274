/**
 * Validation of what an operator asks the switch library to write. It lives in its own dependency-free module so
 * that the CLI can reject bad input (and answer `--help`) without loading the AWS SDK, while the write functions
 * apply the very same rules to every other caller.
 */
import { MAX_OPERATOR_LENGTH, MAX_REASON_LENGTH, isValidSwitchName } from './schema';
import { loneSurrogates, unsafeCharacters } from './stored-text';
import { parseIsoUtc } from './switch-item';

export { isCalendarValid } from './switch-item';
export { MAX_OPERATOR_LENGTH } from './schema';

export type SwitchInputField = 'name' | 'reason' | 'until' | 'by' | 'expectedVersion';

/** A write was refused before anything was sent to DynamoDB: the input breaks a rule of the switch item. */
export class SwitchInputError extends Error {
  override readonly name = 'SwitchInputError';
  constructor(
    readonly field: SwitchInputField,
    message: string,
  ) {
    super(message);
  }
}

export interface SuspendInput {
  readonly name: string;
  /** Why the switch is suspended: 1 to MAX_REASON_LENGTH characters on one line. */
  readonly reason: string;
  /** When the suspension ends by itself: an ISO 8601 UTC time (or a Date) in the future. @default no end */
  readonly until?: string | Date;
  /** Who suspends it, recorded as `updatedBy`. */
  readonly by: string;
  /** Write only if the switch is at this version (0: no item yet), else fail with a conflict. @default retry on fresh state */
  readonly expectedVersion?: number;
}

export interface ResumeInput {
  readonly name: string;
  /** Why the switch is resumed. @default none: the suspension's reason is removed */
  readonly reason?: string;
  readonly by: string;
  /** As in SuspendInput. @default retry on fresh state */
  readonly expectedVersion?: number;
}

export interface ValidSuspendInput {
  readonly name: string;
  readonly reason: string;
  /** Normalized to `Date.prototype.toISOString()` form. */
  readonly until?: string;
  readonly by: string;
  readonly expectedVersion?: number;
}

export interface ValidResumeInput {
  readonly name: string;
  readonly reason?: string;
  readonly by: string;
  readonly expectedVersion?: number;
}

export function validateSuspendInput(input: SuspendInput, nowMs: number): ValidSuspendInput {
  const name = validateSwitchName(input.name);
  const reason = validateText('reason', input.reason, MAX_REASON_LENGTH);
  const until = input.until === undefined ? undefined : validateUntil(input.until, nowMs);
  return {
    name,
    reason,
    ...(until === undefined ? {} : { until }),
    by: validateText('by', input.by, MAX_OPERATOR_LENGTH),
    ...expectedVersionOf(input.expectedVersion),
  };
}

export function validateResumeInput(input: ResumeInput): ValidResumeInput {
  return {
    name: validateSwitchName(input.name),
    ...(input.reason === undefined ? {} : { reason: validateText('reason', input.reason, MAX_REASON_LENGTH) }),
    by: validateText('by', input.by, MAX_OPERATOR_LENGTH),
    ...expectedVersionOf(input.expectedVersion),
  };
}

export function validateSwitchName(name: unknown): string {
  if (isValidSwitchName(name)) return name;
  throw new SwitchInputError(
    'name',
    `invalid switch name ${quote(name)}: use 1-64 characters of A-Z a-z 0-9 . _ -`,
  );
}

/**
 * `until` as the stored form, or a SwitchInputError. Only UTC forms are accepted (what readers parse); the CLI
 * converts other offsets before calling.
 */
export function validateUntil(until: unknown, nowMs: number): string {
  let ms: number | undefined;
  if (until instanceof Date) ms = until.getTime();
  else ms = parseIsoUtc(until);
  const normalized = ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString();
  // The year must stay four digits: readers reject the expanded `+010000-...` form.
  if (normalized === undefined || parseIsoUtc(normalized) === undefined) {
    const shown = until instanceof Date ? (normalized ?? 'an invalid Date') : quote(until);
    throw new SwitchInputError('until', `until must be an ISO 8601 UTC time from now to year 9999, such as 2030-01-31T18:00:00Z; got ${shown}`);
  }
  if (Date.parse(normalized) <= nowMs) {
    throw new SwitchInputError('until', `until ${normalized} is not in the future (now ${new Date(nowMs).toISOString()})`);
  }
  return normalized;
}

function validateText(field: 'reason' | 'by', value: unknown, maxLength: number): string {
  const label = field === 'by' ? 'operator (updatedBy)' : field;
  if (typeof value !== 'string') throw new SwitchInputError(field, `${label} must be a string, got ${quote(value)}`);
  if (value.trim() === '') throw new SwitchInputError(field, `${label} must not be empty`);
  // Counted in code points, as an operator counts characters; DynamoDB itself would take far more.
  const length = [...value].length;
  if (length > maxLength) {
    throw new SwitchInputError(field, `${label} is ${length} characters long; the limit is ${maxLength}`);
  }
  // Stored text is printed in operators' terminals and logs: control and bidi-override characters could rewrite
  // what they see, and lone surrogates are not valid UTF-8 on the wire.
  if (UNPRINTABLE.test(value) || LONE_SURROGATE.test(value)) {
    throw new SwitchInputError(field, `${label} must be one line of printable text (no control characters)`);
  }
  return value;
}

function expectedVersionOf(version: unknown): { expectedVersion?: number } {
  if (version === undefined) return {};
  if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) return { expectedVersion: version };
  throw new SwitchInputError('expectedVersion', `expected version must be a whole number from 0, got ${quote(version)}`);
}

const UNPRINTABLE = unsafeCharacters();
const LONE_SURROGATE = loneSurrogates();


/**
 * A value for an error message: quoted, cut short, and with everything outside printable ASCII escaped, so a
 * hostile argument cannot break the message's single line or the terminal showing it.
 */
export function quote(value: unknown, maxLength = 60): string {
  if (typeof value !== 'string') {
    if (value === null || value === undefined || typeof value !== 'object') return String(value);
    return Array.isArray(value) ? 'a list' : 'an object';
  }
  const chars = [...value];
  const shown = chars.length > maxLength ? `${chars.slice(0, maxLength).join('')}…` : value;
  return `"${shown.replace(/[^\u0020-\u007e…]|["\\]/gu, (c) => (c === '"' || c === '\\' ? `\\${c}` : escapeChar(c)))}"`;
}

function escapeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
