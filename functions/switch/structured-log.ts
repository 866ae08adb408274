/** One structured log line: a JSON object with at least a level and a message. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type LogWriter = (line: LogLine) => void;

/**
 * Writes `line` as one JSON line on stdout.
 *
 * Not console.log: in Lambda's JSON log format the runtime would wrap an already-serialized line in a second
 * JSON envelope as an escaped string, and outside Lambda console.log formats objects for humans, not for
 * Logs Insights. No timestamp field: CloudWatch stamps every event, and a Date per line is avoidable work on the
 * hot path.
 */
export const writeLogLine: LogWriter = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** `error` as `Name: message`, for log fields: never the stack, which belongs in a debugger, not in every line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error thrown: ${typeof error}`;
}
