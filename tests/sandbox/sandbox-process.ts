import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../stacks/project-root';

/** A sandbox (`npm start`) running as a child process, its output collected as it arrives. */
export interface SandboxProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects after `timeoutMs` or if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (null when killed by a signal); kills the process after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | null>;
}

/** Starts `command args` in the repository root, with the test's environment plus `env`. */
export function startProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): SandboxProcess {
  const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          done();
          resolve(output);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${output}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          if (pattern.test(output)) resolve(output);
          else reject(new Error(`the process exited before ${pattern} appeared; output:\n${output}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async exited(timeoutMs) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `NAME=value` lines of the output, as a script would read them. */
export function printedVariables(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1] as string, match[2] as string]));
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Processes whose working folder is inside `dir` (Linux /proc): the sandbox's execution environments run in
 * their unpacked package. Empty where /proc is not available.
 */
export function processesWorkingIn(dir: string): number[] {
  if (!fs.existsSync('/proc/self/cwd')) return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(path.join('/proc', entry, 'cwd'));
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
    } catch {
      // Gone already, or not ours to inspect.
    }
  }
  return found;
}
