/**
 * How switches look on the terminal (a small table) and in `--json` (SwitchView: a stable shape, every field
 * always present, null when not stored).
 */
import type { StoredSwitch } from '../functions/switch/switch-writes';
import { isSuspendedAt } from '../functions/switch/switch-item';

/** A switch in `--json` output. Fields are never omitted, so scripts can rely on the shape. */
export interface SwitchView {
  readonly switch: string;
  /** Whether the table has an item for it (no item: active). */
  readonly exists: boolean;
  /** Now: `suspended` with `until` not yet passed; `unreadable` when the item cannot say. */
  readonly state: 'active' | 'suspended' | 'unreadable';
  /** The stored flag (a suspension whose `until` has passed is stored as suspended but active). */
  readonly suspended: boolean | null;
  readonly reason: string | null;
  readonly until: string | null;
  readonly updatedAt: string | null;
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

const COLUMNS: readonly { readonly title: string; readonly cell: (view: SwitchView) => string; readonly max?: number }[] = [
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
  const rows = [COLUMNS.map((c) => c.title), ...views.map((v) => COLUMNS.map((c) => printable(c.cell(v), c.max)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** Notes for one switch, shown under its row: what the table cannot show in a cell. */
export function renderNotes(view: SwitchView): string[] {
  const notes: string[] = [];
  if (!view.exists) notes.push(`"${view.switch}" has no item: it is active.`);
  if (view.state === 'active' && view.suspended === true) notes.push(`"${view.switch}" was suspended until ${printable(view.until ?? '')}, which has passed.`);
  if (view.problem) notes.push(`"${view.switch}" is unreadable: ${printable(view.problem)}; checks fall back to their fail mode.`);
  for (const warning of view.warnings) notes.push(`"${view.switch}": ${printable(warning)}`);
  return notes;
}

function stateLabel(view: SwitchView): string {
  if (view.state === 'active' && view.suspended === true) return 'active (ended)';
  return view.state;
}

/**
 * Text from the table as it may be shown in a terminal: items written by other tools can hold anything, and
 * control or bidi-override characters in a cell could rewrite what the operator sees.
 */
export function printable(text: string, max?: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
  const chars = [...clean];
  return max !== undefined && chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}
