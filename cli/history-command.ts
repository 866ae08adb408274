/** `suspense history <switch>`: who changed a switch, when and why, newest first. */
import { MAX_HISTORY_ENTRIES } from '../functions/switch/schema';
import type { HistoryEntry } from '../functions/switch/switch-history';
import { validateSwitchName } from '../functions/switch/switch-input';
import type { CliIo } from './cli-io';
import { DEFAULT_TABLE_TIMEOUT_SECONDS } from './command-specs';
import { deadlineSignal, endpointOverrideNote, regionOption, resolveTable, stringOption, timeoutSeconds } from './common-options';
import { EXIT, UsageError, type FailureContext } from './errors';
import { printable } from './render';
import type { RunLine } from './switch-arguments';

export interface HistoryArguments {
  readonly name: string;
  /** Newest entries shown; undefined: all that are kept. */
  readonly limit?: number;
  readonly json: boolean;
  readonly timeoutSeconds: number;
  readonly region?: string;
}

/** A history entry in `--json` output: every field always present, null when not recorded. */
export interface HistoryEntryView {
  readonly version: number;
  readonly replacedVersion: number;
  readonly suspended: boolean;
  readonly reason: string | null;
  readonly until: string | null;
  readonly at: string;
  readonly by: string;
  /** When the event behind an automatic change (an alarm's state change) happened. */
  readonly eventAt: string | null;
}

/** Checked before the AWS SDK is loaded: bad input exits 2 and reads nothing. */
export function readHistoryArguments(line: RunLine): HistoryArguments {
  const { options, args } = line;
  const name = validateSwitchName(args[0]);
  const limitText = stringOption(options, 'limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_HISTORY_ENTRIES)) {
      throw new UsageError(`--limit must be a whole number from 1 to ${MAX_HISTORY_ENTRIES}, got "${printable(limitText, 20)}"`, 'history');
    }
  }
  const region = regionOption(options, 'history');
  return {
    name,
    ...(limit === undefined ? {} : { limit }),
    json: options.get('json') === true,
    timeoutSeconds: timeoutSeconds(options, 'history', DEFAULT_TABLE_TIMEOUT_SECONDS),
    ...(region === undefined ? {} : { region }),
  };
}

export async function runHistory(line: RunLine, parsed: HistoryArguments, io: CliIo, context: FailureContext): Promise<number> {
  const { name: tableName, region: stackRegion } = await resolveTable(line.options, io, 'history');
  Object.assign(context, { service: 'DynamoDB', subject: `table "${tableName}"`, timeoutSeconds: parsed.timeoutSeconds });
  const note = endpointOverrideNote(line.options, io.env, 'AWS_ENDPOINT_URL_DYNAMODB');
  if (note) io.stderr(note);
  // Loaded only now: the SDK is not needed to refuse bad input.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createCliDynamoClient } = require('./dynamodb-client') as typeof import('./dynamodb-client');
  const { getSwitchHistory } = require('../functions/switch/switch-writes') as typeof import('../functions/switch/switch-writes');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const region = parsed.region ?? stackRegion;
  const client = createCliDynamoClient(region ? { region } : {});
  try {
    const entries = await getSwitchHistory({ client, tableName }, parsed.name, { abortSignal: deadlineSignal(parsed.timeoutSeconds) });
    const shown = entries.slice(0, parsed.limit ?? entries.length).map(toHistoryView);
    if (parsed.json) io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    else if (shown.length === 0) io.stdout(`No history for "${parsed.name}" in table "${tableName}".\n`);
    else io.stdout(`${renderHistory(shown)}\n`);
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

export function toHistoryView(entry: HistoryEntry): HistoryEntryView {
  return {
    version: entry.version,
    replacedVersion: entry.replacedVersion,
    suspended: entry.suspended,
    reason: entry.reason ?? null,
    until: entry.until ?? null,
    at: entry.at,
    by: entry.by,
    eventAt: entry.eventAt ?? null,
  };
}

const COLUMNS: readonly { readonly title: string; readonly cell: (entry: HistoryEntryView) => string; readonly max?: number }[] = [
  { title: 'VERSION', cell: (e) => String(e.version) },
  { title: 'AT', cell: (e) => e.at },
  { title: 'CHANGE', cell: (e) => (e.suspended ? 'suspended' : 'resumed') },
  { title: 'UNTIL', cell: (e) => e.until ?? '-' },
  // An alarm's ARN is long; the whole of it is in --json.
  { title: 'BY', cell: (e) => e.by, max: 60 },
  { title: 'REASON', cell: (e) => e.reason ?? '-', max: 80 },
];

/** A plain-text table, newest change first, cells cleaned of control characters. */
export function renderHistory(entries: readonly HistoryEntryView[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...entries.map((e) => COLUMNS.map((c) => printable(c.cell(e), c.max)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  ').trimEnd()).join('\n');
}
