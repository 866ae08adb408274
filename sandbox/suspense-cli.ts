import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../stacks/project-root';

/** The `suspense` CLI as `npx suspense` runs it (package.json `bin`). */
const SUSPENSE_BIN = path.join(PROJECT_ROOT, 'bin', 'suspense.js');

export interface CliRun {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Longest a CLI command may take here: it talks to a local DynamoDB, so seconds mean it hangs. */
const CLI_TIMEOUT_MS = 30_000;

/** Runs the real CLI in a child process, as an operator's terminal would. Never rejects for a non-zero exit. */
export function runSuspenseCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = CLI_TIMEOUT_MS): Promise<CliRun> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SUSPENSE_BIN, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed: the command took longer than ${timeoutMs / 1000} s)`;
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ args, exitCode, stdout, stderr, durationMs: performance.now() - startedAt });
    });
  });
}

/** A command line as an operator would type it, quoted for a POSIX shell. */
export function shellCommand(args: readonly string[]): string {
  return ['suspense', ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
