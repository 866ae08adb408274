import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNNER_DIR } from './function-environment';

export interface ChildRunOptions {
  /** A script in bench/runner. */
  readonly script: 'cold-start.js' | 'warm.js';
  readonly handlerModule: string;
  /** Written as JSON for the script to read: its events or its plan. */
  readonly input: unknown;
  /** The child's whole environment. */
  readonly env: Record<string, string>;
  /** The child's working directory: the unpacked package, as Lambda's is /var/task. */
  readonly cwd: string;
  /** Scratch folder for the input and result files. */
  readonly scratchDir: string;
  readonly timeoutMs: number;
}

export interface ChildRun<T> {
  readonly result: T;
  /** What the child wrote on stderr: a healthy contender writes nothing. */
  readonly stderr: string;
}

let runCounter = 0;
const MAX_STDERR_CHARS = 64 * 1024;

/**
 * Runs a runner script in a fresh Node process and returns the JSON it wrote. The child's stdout (the function's
 * log lines) goes to /dev/null, so that the benchmark never spends CPU reading it while the child is measured.
 */
export async function runChild<T>(options: ChildRunOptions): Promise<ChildRun<T>> {
  const id = ++runCounter;
  const inputFile = path.join(options.scratchDir, `input-${id}.json`);
  const resultFile = path.join(options.scratchDir, `result-${id}.json`);
  fs.writeFileSync(inputFile, JSON.stringify(options.input));
  try {
    const child = spawn(process.execPath, [path.join(RUNNER_DIR, options.script), options.handlerModule, inputFile, resultFile], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      // Kept short: a contender that warns on every invocation must not fill the benchmark's memory.
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    }).finally(() => clearTimeout(timer));
    if (exit.code !== 0 || !fs.existsSync(resultFile)) {
      const how = exit.signal ? `was killed (${exit.signal}${exit.signal === 'SIGKILL' ? `, over ${options.timeoutMs / 1000} s?` : ''})` : `exited with ${exit.code}`;
      throw new Error(`${options.script} for ${options.handlerModule} ${how}: ${stderr.trim()}`);
    }
    return { result: JSON.parse(fs.readFileSync(resultFile, 'utf8')) as T, stderr };
  } finally {
    fs.rmSync(inputFile, { force: true });
    fs.rmSync(resultFile, { force: true });
  }
}
