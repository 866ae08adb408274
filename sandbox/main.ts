/**
 * `npm start`: the whole system on this machine, no AWS account needed.
 *
 *   npm start                          walk through the story once, check every answer, exit 0 or 1
 *   npm start -- --serve               keep running with local DynamoDB, Lambda and function URL endpoints
 *   npm start -- --serve --cache-ttl 1 the same, with the function's cache TTL shortened to 1 second
 *   npm start -- --serve --vars-file sandbox.env   also write the variables to a file (removed on exit)
 */
import * as path from 'node:path';
import { serve } from './serve';
import { runWalkthrough } from './walkthrough';

// The sandbox's own SDK clients (dynalite set-up) would warn on every run under Node 20; the function's
// environment gets its own setting (see sandbox.ts). Read when the first client is created, after the imports.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: npm start [-- --serve [--cache-ttl <seconds>] [--vars-file <file>]]

  (no options)           run the walkthrough: console test event, suspend with the CLI, a REST API event,
                         resume; exits 0 when every answer was as expected
  --serve                keep the sandbox running until Ctrl-C and print the variables to use it
  --cache-ttl <seconds>  with --serve: the function's cache TTL instead of the stack's
  --vars-file <file>     with --serve: also write the variables to <file>, for \`set -a; . <file>; set +a\`
`;

type Mode = { kind: 'walkthrough' } | { kind: 'serve'; cacheTtlSeconds?: number; envFile?: string } | { kind: 'help' };

function parseArguments(args: readonly string[]): Mode {
  let serveMode = false;
  let cacheTtlSeconds: number | undefined;
  let envFile: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--serve') serveMode = true;
    else if (arg === '--cache-ttl') {
      const value = Number(args[++index]);
      if (!Number.isInteger(value) || value < 0 || value > 3600) throw new UsageError(`--cache-ttl needs whole seconds from 0 to 3600, got ${JSON.stringify(args[index])}`);
      cacheTtlSeconds = value;
    } else if (arg === '--vars-file') {
      // Not `--env-file`: Node 20 takes that for its own option wherever it appears on the command line.
      const file = args[++index];
      if (!file) throw new UsageError('--vars-file needs a file name');
      // npm runs scripts in the package root; a relative name means the folder `npm start` was typed in.
      envFile = path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (!serveMode && (cacheTtlSeconds !== undefined || envFile !== undefined)) {
    throw new UsageError('--cache-ttl and --vars-file apply to --serve only');
  }
  if (!serveMode) return { kind: 'walkthrough' };
  return { kind: 'serve', ...(cacheTtlSeconds === undefined ? {} : { cacheTtlSeconds }), ...(envFile === undefined ? {} : { envFile }) };
}

class UsageError extends Error {}

const write = (text: string) => process.stdout.write(text);

/** Stops whatever runs, once; a second signal while stopping gives up waiting. */
function onSignals(stop: () => Promise<void>, exitCode: (signal: NodeJS.Signals) => number): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(exitCode(signal));
      stopping = true;
      write(`\n# ${signal}: stopping the sandbox ...\n`);
      stop().then(
        () => process.exit(exitCode(signal)),
        () => process.exit(1),
      );
    });
  }
}

async function main(): Promise<number> {
  let mode: Mode;
  try {
    mode = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (mode.kind === 'help') {
    write(USAGE);
    return 0;
  }
  if (mode.kind === 'walkthrough') {
    const stops: Array<() => Promise<void>> = [];
    // Interrupted, the walkthrough did not complete: 130/143 as shells report a signal.
    onSignals(async () => void (await Promise.all(stops.map((stop) => stop()))), (signal) => (signal === 'SIGINT' ? 130 : 143));
    return runWalkthrough(write, (stop) => stops.push(stop));
  }
  const { kind: _serve, ...serveOptions } = mode;
  const starting = serve(write, serveOptions);
  // A signal during start-up waits for it to finish, so that what it started is stopped too; stopping on request
  // is serve mode's normal end: exit 0.
  onSignals(async () => (await starting.catch(() => undefined))?.stop(), () => 0);
  try {
    await starting;
  } catch (error) {
    process.stderr.write(`npm start -- --serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // Servers keep the process alive until a signal stops them.
  return new Promise<number>(() => undefined);
}

main().then((code) => {
  process.exitCode = code;
  // Nothing should be left running; if something is, it must not hold the process open.
  setTimeout(() => process.exit(code), 500).unref();
});
