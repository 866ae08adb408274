import { parseArgs } from 'node:util';
import { quote } from '../functions/switch/switch-input';
import { COMMANDS, isCommandName, type CommandName, type CommandSpec } from './command-specs';
import { UsageError } from './errors';

export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | {
      readonly kind: 'run';
      readonly command: CommandName;
      readonly args: readonly string[];
      /** Options given, by name: a string, or true for a flag. Each at most once. */
      readonly options: ReadonlyMap<string, string | true>;
    };

/**
 * Reads `argv` (without `node` and the script). The command is the first positional argument; options may come
 * before or after it. Throws UsageError for anything it does not understand.
 *
 * node:util parseArgs tokenizes leniently, and the checks are ours: its strict mode answers with multi-line
 * messages that echo raw input, while ours are one line each and say which command they concern.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
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
