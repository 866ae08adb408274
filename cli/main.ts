/** Entry point of the `suspense` CLI (bin/suspense.js). */

// The SDK warns on every run under Node 20; an operator's terminal is no place for it. Set before the SDK loads.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `suspense list | head -1` closes the pipe early: that is the reader's choice, not a crash to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require('./run') as typeof import('./run');

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // A connection the SDK still holds (a server that never answered) must not keep the process alive;
  // an unref'd timer only fires if something else is still running.
  setTimeout(() => process.exit(code), 250).unref();
});
