/** What a command may touch of the outside world; tests and the entry point provide it. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  /** Where `cdktf.out/` is looked for (--stack). */
  readonly cwd: string;
  now(): number;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
  };
}

