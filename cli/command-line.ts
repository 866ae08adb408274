import { parseArgs } from 'node:util';
import { quote } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import { COMMANDS, isCommandName, type CommandEntry, type CommandName, type CommandSpec } from './commands';
import { UsageError } from './errors';

/** A command line split into its parts, each option known to its command: what a command's `parse` reads. */
export interface CommandArguments {
  readonly kind: 'run';
  /** A name in COMMANDS (a plain string here: COMMANDS' own types refer to this one). */
  readonly command: string;
  readonly args: readonly string[];
  /** Options given, by name: a string, or true for a flag. Each at most once. */
  readonly options: ReadonlyMap<string, string | true>;
}

type CommandLine = { readonly kind: 'help'; readonly command?: CommandName } | (CommandArguments & { readonly command: CommandName });

/** What the CLI is asked to do: help, or one complete, checked command and the entry that runs it. */
export type ParsedCommand =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'run'; readonly entry: CommandEntry<unknown>; readonly command: unknown };

/**
 * The one parse: `argv` (without `node` and the script) to a complete command, every argument and option checked
 * by the command's entry in COMMANDS. Throws UsageError or SwitchInputError (exit 2) before anything is read or
 * written.
 */
export async function parseCommand(argv: readonly string[], io: CliIo): Promise<ParsedCommand> {
  const line = parseCommandLine(argv);
  if (line.kind === 'help') return line;
  // Each entry's parse and run agree on their command's type (see entry() in commands.ts); here it travels opaque.
  const entry = COMMANDS[line.command] as unknown as CommandEntry<unknown>;
  return { kind: 'run', entry, command: await entry.parse(line, io) };
}

/**
 * Splits `argv` into command, arguments and options. The command is the first positional argument; options may
 * come before or after it. Throws UsageError for anything it does not understand.
 *
 * node:util parseArgs tokenizes leniently, and the checks are ours: its strict mode answers with multi-line
 * messages that echo raw input, while ours are one line each and say which command they concern.
 */
function parseCommandLine(argv: readonly string[]): CommandLine {
  const { tokens } = parseArgs({ args: [...argv], options: ALL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.filter((t) => t.kind === 'positional');
  const options = tokens.filter((t) => t.kind === 'option');
  const wantsHelp = options.some((t) => t.name === 'help');

  const commandToken = positionals[0];
  if (!commandToken) {
    if (wantsHelp) return { kind: 'help' };
    throw new UsageError('missing command');
  }
  const name = commandToken.value;
  if (name === 'help') {
    const topic = positionals[1]?.value;
    if (positionals.length > 2) throw new UsageError(`unexpected argument ${quote(positionals[2]?.value)}`);
    if (topic === undefined) return { kind: 'help' };
    if (!isCommandName(topic)) throw new UsageError(`unknown command ${quote(topic)}`);
    return { kind: 'help', command: topic };
  }
  if (!isCommandName(name)) throw new UsageError(`unknown command ${quote(name)}`);
  if (wantsHelp) return { kind: 'help', command: name };

  const spec = COMMANDS[name];
  const given = new Map<string, string | true>();
  for (const token of options) {
    const option = Object.prototype.hasOwnProperty.call(spec.options, token.name) ? spec.options[token.name] : undefined;
    const flag = quote(token.rawName);
    if (!option) throw new UsageError(`unknown option ${flag} for "${name}"`, name);
    if (given.has(token.name)) throw new UsageError(`option --${token.name} is given more than once`, name);
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option --${token.name} takes no value`, name);
      given.set(token.name, true);
      continue;
    }
    if (token.value === undefined) throw new UsageError(`option --${token.name} needs a value ${option.value ?? ''}`.trimEnd(), name);
    // `--reason --json` most likely forgot the reason; a value that starts with a dash must be attached with `=`.
    if (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1) {
      throw new UsageError(`option --${token.name} needs a value (to give one that starts with "-", write --${token.name}=<value>)`, name);
    }
    given.set(token.name, token.value);
  }

  const args = positionals.slice(1).map((t) => t.value);
  checkArgumentCount(spec, args);
  return { kind: 'run', command: name, args, options: given };
}

function checkArgumentCount(spec: CommandSpec, args: readonly string[]): void {
  if (args.length > spec.maxArgs) throw new UsageError(`unexpected argument ${quote(args[spec.maxArgs])}`, spec.name);
  if (args.length < spec.minArgs) throw new UsageError(`missing argument ${spec.args}`, spec.name);
}

/** Every option of every command, so that tokenizing knows which options take a value wherever they appear. */
const ALL_OPTIONS = (() => {
  const all: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of Object.values(COMMANDS)) {
    for (const [name, option] of Object.entries(spec.options)) {
      all[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
    }
  }
  return all;
})();
