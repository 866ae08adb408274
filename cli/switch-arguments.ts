/**
 * The arguments of suspend, resume, status and list, checked before anything is read or written (and before
 * the AWS SDK is loaded): bad input exits 2 and changes nothing.
 */
import {
  validateResumeInput,
  validateSuspendInput,
  validateSwitchName,
  type ResumeInput,
  type SuspendInput,
} from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import type { CommandLine } from './command-line';
import { DEFAULT_TABLE_TIMEOUT_SECONDS } from './command-specs';
import { regionOption, stringOption, timeoutSeconds } from './common-options';
import { UsageError } from './errors';
import { defaultOperator } from './operator';
import { printable } from './render';
import { parseUntilArgument } from './until';

export type RunLine = Extract<CommandLine, { kind: 'run' }>;

export interface SwitchArguments {
  readonly command: 'suspend' | 'resume' | 'status' | 'list';
  /** The switch named on the command line (status without one: every switch). */
  readonly name?: string;
  readonly write?: { readonly kind: 'suspend'; readonly input: SuspendInput } | { readonly kind: 'resume'; readonly input: ResumeInput };
  readonly json: boolean;
  readonly timeoutSeconds: number;
  readonly region?: string;
}

export function readSwitchArguments(line: RunLine, io: CliIo): SwitchArguments {
  const { command, options, args } = line;
  if (command === 'invoke' || command === 'history') throw new Error(`${command} is not a switch command`);
  const name = args[0] === undefined ? undefined : validateSwitchName(args[0]);
  const write = command === 'suspend' || command === 'resume' ? writeInput(line, io, name as string) : undefined;
  const region = regionOption(options, command);
  return {
    command,
    ...(name === undefined ? {} : { name }),
    ...(write === undefined ? {} : { write }),
    json: options.get('json') === true,
    timeoutSeconds: timeoutSeconds(options, command, DEFAULT_TABLE_TIMEOUT_SECONDS),
    ...(region === undefined ? {} : { region }),
  };
}

function writeInput(line: RunLine, io: CliIo, name: string): NonNullable<SwitchArguments['write']> {
  const { command, options } = line;
  const reason = stringOption(options, 'reason');
  const by = stringOption(options, 'by') ?? defaultOperator(io.env);
  const ifVersion = stringOption(options, 'if-version');
  if (ifVersion !== undefined && !/^\d{1,15}$/.test(ifVersion)) {
    throw new UsageError(`--if-version must be a whole number from 0, got "${printable(ifVersion, 20)}"`, command);
  }
  const expected = ifVersion === undefined ? {} : { expectedVersion: Number(ifVersion) };
  if (command === 'resume') {
    const input: ResumeInput = { name, by, ...(reason === undefined ? {} : { reason }), ...expected };
    validateResumeInput(input);
    return { kind: 'resume', input };
  }
  if (reason === undefined) throw new UsageError('--reason is required: say why the switch is suspended', command);
  const untilText = stringOption(options, 'until');
  const until = untilText === undefined ? undefined : parseUntilArgument(untilText, io.now());
  const input: SuspendInput = { name, reason, by, ...(until === undefined ? {} : { until }), ...expected };
  validateSuspendInput(input, io.now());
  return { kind: 'suspend', input };
}
