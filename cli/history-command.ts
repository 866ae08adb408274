/** `suspense history <switch>`: who changed a switch, when and why, newest first. */
import { getSwitchHistory, type HistoryEntry } from '../functions/switch/switch-operations';
import type { CliIo } from './cli-io';
import type { HistoryCommand } from './commands';
import { EXIT } from './errors';
import { renderColumns, type Column } from './render';
import { withSwitchTable } from './switch-commands';
import { terminalJson } from './terminal-text';

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

export function runHistory(command: HistoryCommand, io: CliIo): Promise<number> {
  return withSwitchTable(command, io, async (table, abortSignal) => {
    const entries = await getSwitchHistory(table, command.switch, { abortSignal });
    const shown = entries.slice(0, command.limit ?? entries.length).map(toHistoryView);
    if (command.json) io.stdout(terminalJson(shown));
    else if (shown.length === 0) io.stdout(`No history for "${command.switch}" in table "${table.tableName}".\n`);
    else io.stdout(`${renderHistory(shown)}\n`);
    return EXIT.ok;
  });
}

export function toHistoryView(entry: HistoryEntry): HistoryEntryView {
  return {
    version: entry.version,
    replacedVersion: entry.replacedVersion,
    suspended: entry.suspended,
    // Cut to the write limits by the library's parse, as `by` is: another tool may have written far more.
    reason: entry.reason ?? null,
    until: entry.until ?? null,
    at: entry.at,
    by: entry.by,
    eventAt: entry.eventAt ?? null,
  };
}

const COLUMNS: readonly Column<HistoryEntryView>[] = [
  { title: 'VERSION', cell: (e) => String(e.version) },
  { title: 'AT', cell: (e) => e.at },
  { title: 'CHANGE', cell: (e) => (e.suspended ? 'suspended' : 'resumed') },
  { title: 'UNTIL', cell: (e) => e.until ?? '-' },
  // An alarm's ARN is long; the whole of it is in --json.
  { title: 'BY', cell: (e) => e.by, max: 60 },
  { title: 'REASON', cell: (e) => e.reason ?? '-', max: 80 },
];

/** A plain-text table, newest change first. */
export function renderHistory(entries: readonly HistoryEntryView[]): string {
  return renderColumns(COLUMNS, entries);
}
