/**
 * How switches look on the terminal (a small table) and in `--json` (SwitchView: a stable shape, every field
 * always present, null when not stored).
 */
import { isSuspendedAt } from '../functions/switch/switch-item';
import type { StoredSwitch } from '../functions/switch/switch-operations';
import { terminalText } from './terminal-text';

/** A switch in `--json` output. Fields are never omitted, so scripts can rely on the shape. */
export interface SwitchView {
  readonly switch: string;
  /** Whether the table has an item for it (no item: active). */
  readonly exists: boolean;
  /** Now: `suspended` with `until` not yet passed; `unreadable` when the item cannot say. */
  readonly state: 'active' | 'suspended' | 'unreadable';
  /** The stored flag (a suspension whose `until` has passed is stored as suspended but active). */
  readonly suspended: boolean | null;
  /** As stored, cut to the write limit by the library's parse (an item written by another tool may hold far more). */
  readonly reason: string | null;
  readonly until: string | null;
  /** As stored when it is an ISO 8601 UTC time (the library's parse drops anything else, with a warning). */
  readonly updatedAt: string | null;
  /** As stored, cut to the write limit (MAX_OPERATOR_LENGTH) by the library's parse. */
  readonly updatedBy: string | null;
  readonly version: number;
  /** Why an unreadable item cannot be used. */
  readonly problem: string | null;
  /** Attributes of the item that were ignored (written by another tool). */
  readonly warnings: readonly string[];
}

export function toSwitchView(stored: StoredSwitch, nowMs: number): SwitchView {
  const empty = { reason: null, until: null, updatedAt: null, updatedBy: null, version: 0, problem: null, warnings: [] };
  switch (stored.kind) {
    case 'absent':
      return { switch: stored.name, exists: false, state: 'active', suspended: false, ...empty };
    case 'unreadable':
      return { switch: stored.name, exists: true, state: 'unreadable', suspended: null, ...empty, problem: stored.problem };
    case 'record': {
      const { record } = stored;
      return {
        switch: stored.name,
        exists: true,
        state: isSuspendedAt(record, nowMs) ? 'suspended' : 'active',
        suspended: record.suspended,
        reason: record.reason ?? null,
        until: record.until ?? null,
        updatedAt: record.updatedAt ?? null,
        updatedBy: record.updatedBy ?? null,
        version: record.version,
        problem: null,
        warnings: stored.warnings,
      };
    }
  }
}

/** A column of a plain-text table: its title, its cell for one item, and the cell's longest text. */
export interface Column<T> {
  readonly title: string;
  readonly cell: (item: T) => string;
  /** @default no limit */
  readonly max?: number;
}

const COLUMNS: readonly Column<SwitchView>[] = [
  { title: 'SWITCH', cell: (v) => v.switch },
  { title: 'STATE', cell: stateLabel },
  { title: 'REASON', cell: (v) => v.reason ?? '-', max: 40 },
  { title: 'UNTIL', cell: (v) => v.until ?? '-' },
  { title: 'UPDATED BY', cell: (v) => v.updatedBy ?? '-', max: 32 },
  { title: 'UPDATED AT', cell: (v) => v.updatedAt ?? '-' },
  { title: 'VERSION', cell: (v) => (v.exists ? String(v.version) : '-') },
];

/** A plain-text table, one row per switch, columns padded to fit. */
export function renderTable(views: readonly SwitchView[]): string {
  return renderColumns(COLUMNS, views);
}

/** A plain-text table of `items`, columns padded to fit, every cell made safe for a terminal. */
export function renderColumns<T>(columns: readonly Column<T>[], items: readonly T[]): string {
  const rows = [columns.map((c) => c.title), ...items.map((item) => columns.map((c) => terminalText(c.cell(item), { maxLength: c.max })))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** Notes for one switch, shown under its row: what the table cannot show in a cell. */
export function renderNotes(view: SwitchView): string[] {
  const notes: string[] = [];
  // Listed names come from the table's keys, which another tool may have written.
  const name = terminalText(view.switch, { maxLength: 80 });
  if (!view.exists) notes.push(`"${name}" has no item: it is active.`);
  if (view.state === 'active' && view.suspended === true) notes.push(`"${name}" was suspended until ${terminalText(view.until ?? '')}, which has passed.`);
  if (view.problem) notes.push(`"${name}" is unreadable: ${terminalText(view.problem)}; checks fall back to their fail mode.`);
  for (const warning of view.warnings) notes.push(`"${name}": ${terminalText(warning)}`);
  return notes;
}

function stateLabel(view: SwitchView): string {
  if (view.state === 'active' && view.suspended === true) return 'active (ended)';
  return view.state;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}
