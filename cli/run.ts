/**
 * The CLI without the process around it: arguments in, output through `io`, an exit code out. The AWS SDK is
 * loaded only once the arguments are known to be good, so `--help` and bad input answer at once.
 *
 * Lazy loading uses `require`, not `import()`: bin/suspense.js transpiles each file to CommonJS as it is required,
 * and a dynamic import() would bypass that hook and reach Node's ESM loader, which cannot load `.ts` files.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { processIo, type CliIo } from './cli-io';
import { parseCommandLine } from './command-line';
import { COMMANDS, commandHelp, globalHelp } from './command-specs';
import { describeFailure, EXIT, oneLine, type FailureContext } from './errors';

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context: FailureContext = {};
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      io.stdout(line.command ? commandHelp(COMMANDS[line.command]) : globalHelp());
      return EXIT.ok;
    }
    if (line.command === 'invoke') {
      const { readInvokeArguments, runInvoke } = require('./invoke-command') as typeof import('./invoke-command');
      const parsed = await readInvokeArguments(line, io);
      return await runInvoke(line, parsed, io, context);
    }
    if (line.command === 'history') {
      const { readHistoryArguments, runHistory } = require('./history-command') as typeof import('./history-command');
      return await runHistory(line, readHistoryArguments(line), io, context);
    }
    const { readSwitchArguments } = require('./switch-arguments') as typeof import('./switch-arguments');
    const parsed = readSwitchArguments(line, io);
    const { runSwitchCommand } = require('./switch-commands') as typeof import('./switch-commands');
    return await runSwitchCommand(line, parsed, io, context);
  } catch (error) {
    const failure = describeFailure(error, context);
    io.stderr(`suspense: ${oneLine(failure.message)}\n`);
    if (failure.unexpected && io.env.SUSPENSE_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return failure.exitCode;
  }
}
