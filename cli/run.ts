/**
 * The CLI without the process around it: arguments in, output through `io`, an exit code out. The AWS SDK is
 * loaded only once the arguments are known to be good, so `--help` and bad input answer at once.
 *
 * Lazy loading uses `require`, not `import()`: in the CLI's CommonJS bundle (tools/cli-bundle.js) a required module
 * is still evaluated only when required, and where bin/suspense.js falls back to transpiling each file as it is
 * required, a dynamic import() would bypass that hook and reach Node's ESM loader, which cannot load `.ts` files.
 */
import { processIo, type CliIo } from './cli-io';
import { parseCommand } from './command-line';
import { COMMANDS } from './commands';
import { AwsRequestFailure, describeFailure, EXIT } from './errors';
import { commandHelp, globalHelp } from './help';
import { oneLine } from './terminal-text';

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const parsed = await parseCommand(argv, io);
    if (parsed.kind === 'help') {
      io.stdout(parsed.command ? commandHelp(COMMANDS[parsed.command]) : globalHelp());
      return EXIT.ok;
    }
    return await parsed.entry.run()(parsed.command, io);
  } catch (error) {
    const failure = describeFailure(error);
    io.stderr(`suspense: ${oneLine(failure.message)}\n`);
    const original = error instanceof AwsRequestFailure ? error.cause : error;
    if (failure.unexpected && io.env.SUSPENSE_DEBUG && original instanceof Error) io.stderr(`${original.stack}\n`);
    return failure.exitCode;
  }
}
