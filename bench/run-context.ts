import type { RuntimeSettings } from '../sandbox/execution-environment';
import type { LambdaNode } from '../sandbox/lambda-node';
import type { ContenderName } from './options';

export type ProgressLog = (line: string) => void;

/** What every measurement phase needs: where to write, how to build a child's environment, where to report. */
export interface RunContext {
  /** A child's whole environment: the deployed function's, for a package unpacked in `taskRoot`. */
  envFor(taskRoot: string, overrides: Readonly<Record<string, string>>): Record<string, string>;
  readonly log: ProgressLog;
  /** The Node.js every contender runs on. */
  readonly node: LambdaNode;
  /** The deployed function's memory and timeout, for every contender. */
  readonly settings: Partial<RuntimeSettings>;
  /** The deployed function's ARN, as the context of every invocation names it. */
  readonly functionArn: string;
  readonly tally: ContenderTally;
}

/** Errors and stderr output per contender, gathered across every phase. */
export class ContenderTally {
  private readonly errors = new Map<ContenderName, number>();
  private readonly stderr = new Map<ContenderName, string>();

  addErrors(name: ContenderName, count: number): void {
    this.errors.set(name, this.errorsOf(name) + count);
  }

  errorsOf(name: ContenderName): number {
    return this.errors.get(name) ?? 0;
  }

  /** Keeps the first few lines a contender wrote on stderr: a healthy contender writes none. */
  noteStderr(name: ContenderName, text: string): void {
    if (text.trim() !== '' && !this.stderr.has(name)) this.stderr.set(name, text.trim().split('\n').slice(0, 3).join('\n'));
  }

  stderrOf(name: ContenderName): string | undefined {
    return this.stderr.get(name);
  }
}
