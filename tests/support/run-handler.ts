import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const HANDLER_RUNNER = path.join(__dirname, 'handler-runner.js');

export interface HandlerRun {
  /** Milliseconds `require` of the handler module took. */
  readonly loadMs: number;
  readonly invocations: readonly { readonly response: { statusCode: number; headers: Record<string, string>; body: string }; readonly ms: number }[];
  /** Whether aws-xray-sdk-core was loaded from node_modules (never true for a bundle). */
  readonly xrayLoaded: boolean;
  /** The process's stdout, line by line: the handler's log lines. */
  readonly stdoutLines: readonly string[];
  readonly stderr: string;
}

export interface RunHandlerOptions {
  /** Absolute path of the module exporting `handler`. */
  readonly modulePath: string;
  readonly events: readonly unknown[];
  /** The child's whole environment: nothing is inherited beyond PATH. */
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** Extra node flags, e.g. ['-r', 'tools/register-ts.js'] to load TypeScript. */
  readonly nodeArgs?: readonly string[];
  /** Runner script to use (copied beside an artifact, for one). @default HANDLER_RUNNER */
  readonly runner?: string;
  /**
   * Keeps the child alive after the invocations until this resolves, for work that finishes after them.
   * @default the child exits once the invocations are done
   */
  readonly stayUntil?: () => Promise<void>;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** Invokes a handler module in a fresh Node process, asynchronously so that in-process servers keep serving. */
export async function runHandler(options: RunHandlerOptions): Promise<HandlerRun> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-run-'));
  const eventsFile = path.join(workDir, 'events.json');
  const resultFile = path.join(workDir, 'result.json');
  fs.writeFileSync(eventsFile, JSON.stringify(options.events));
  const args = [...(options.nodeArgs ?? []), options.runner ?? HANDLER_RUNNER, options.modulePath, eventsFile, resultFile];
  if (options.stayUntil) args.push('--stay');
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000);
  try {
    if (options.stayUntil) {
      await waitFor(() => fs.existsSync(resultFile) || child.exitCode !== null, options.timeoutMs ?? 30000);
      if (child.exitCode === null) await options.stayUntil();
      child.stdin.end();
    }
    const code = await exited;
    if (code !== 0 || !fs.existsSync(resultFile)) throw new Error(`handler run failed (exit ${code}): ${stderr}`);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Omit<HandlerRun, 'stdoutLines' | 'stderr'>;
    return { ...result, stdoutLines: stdout.split('\n').filter((line) => line !== ''), stderr };
  } finally {
    clearTimeout(timeout);
    child.kill('SIGKILL');
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** Polls `condition` every 10 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
