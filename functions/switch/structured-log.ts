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
 * Logs Insights.
 *
 * Lambda reads the level of a JSON line it did not format only when the line has a valid `timestamp`; without
 * one the line counts as INFO. So warn and error lines carry one (a log-level filter of WARN must keep them),
 * while info lines, one per invocation on the hot path, skip the Date: INFO is what Lambda assumes anyway.
 */
export const writeLogLine: LogWriter = (line) => {
  const stamped = line.level === 'info' ? line : { timestamp: new Date().toISOString(), ...line };
  process.stdout.write(`${JSON.stringify(stamped)}\n`);
};

/** `error` as `Name: message`, for log fields: never the stack, which belongs in a debugger, not in every line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error thrown: ${typeof error}`;
}
