/** suspend, resume, status and list: the commands that read and write the switch table. */
import {
  getSwitch,
  listSwitches,
  resumeSwitch,
  suspendSwitch,
  type SwitchTableClient,
  type SwitchWriteResult,
} from '../functions/switch/switch-operations';
import { endpointOverrideNote, resolveResource, withAwsClient } from './aws-session';
import type { CliIo } from './cli-io';
import type { ResumeCommand, StatusCommand, SuspendCommand, TableCommand } from './commands';
import { createCliDynamoClient } from './dynamodb-client';
import { EXIT } from './errors';
import { checkTableName } from './option-values';
import { renderNotes, renderTable, toSwitchView } from './render';
import { terminalJson, terminalText } from './terminal-text';
import { untilAt } from './until';

/**
 * Runs `work` on the command's switch table: --table, the --stack output `table_name` (in the region of its
 * `table_arn`, unless --region says otherwise) or $SUSPENSE_TABLE, within the command's --timeout.
 */
export async function withSwitchTable<T>(command: TableCommand, io: CliIo, work: (table: SwitchTableClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const found = await resolveResource(command.table, 'table_name', command.command, io, checkTableName);
  const note = endpointOverrideNote(command.table, 'DynamoDB', io.env);
  if (note) io.stderr(note);
  const region = command.region ?? found.region;
  const client = createCliDynamoClient(region ? { region } : {});
  return withAwsClient({ service: 'DynamoDB', subject: `table "${found.name}"`, client, options: command, io }, (c, abortSignal) =>
    work({ client: c, tableName: found.name }, abortSignal),
  );
}

export function runSuspend(command: SuspendCommand, io: CliIo): Promise<number> {
  return withSwitchTable(command, io, async (table, abortSignal) => {
    // One reading of the clock for `until` and the library's check of it: a duration is in the future by its length.
    const now = io.now();
    const input = command.until === undefined ? command.input : { ...command.input, until: untilAt(command.until, now) };
    printWrite(io, command.json, await suspendSwitch(table, input, { abortSignal, now: () => now }));
    return EXIT.ok;
  });
}

export function runResume(command: ResumeCommand, io: CliIo): Promise<number> {
  return withSwitchTable(command, io, async (table, abortSignal) => {
    printWrite(io, command.json, await resumeSwitch(table, command.input, { abortSignal, now: io.now }));
    return EXIT.ok;
  });
}

/** status (one switch, or every switch with notes) and list (every switch). */
export function runStatus(command: StatusCommand, io: CliIo): Promise<number> {
  return withSwitchTable(command, io, async (table, abortSignal) => {
    if (command.switch !== undefined) {
      const view = toSwitchView(await getSwitch(table, command.switch, { abortSignal }), io.now());
      io.stdout(command.json ? terminalJson(view) : [renderTable([view]), ...renderNotes(view), ''].join('\n'));
      return EXIT.ok;
    }
    const views = (await listSwitches(table, { abortSignal })).map((stored) => toSwitchView(stored, io.now()));
    if (command.json) io.stdout(terminalJson(views));
    else if (views.length === 0) io.stdout(`No switches in table "${table.tableName}": every switch is active.\n`);
    else io.stdout([renderTable(views), ...(command.notes ? views.flatMap(renderNotes) : []), ''].join('\n'));
    return EXIT.ok;
  });
}

function printWrite(io: CliIo, json: boolean, result: SwitchWriteResult): void {
  const view = toSwitchView({ kind: 'record', name: result.record.name, record: result.record, warnings: [] }, io.now());
  if (json) return io.stdout(terminalJson(view));
  const reason = view.reason === null ? '' : terminalText(view.reason);
  const what = view.suspended
    ? `Suspended "${view.switch}"${view.until ? ` until ${view.until}` : ''}: ${reason}`
    : `Resumed "${view.switch}"${reason ? `: ${reason}` : ''}`;
  const lines = [`${what} (version ${view.version}, by ${terminalText(view.updatedBy ?? '')} at ${view.updatedAt}).`];
  if (result.attempts > 1) {
    lines.push(`Note: another write to "${view.switch}" landed first; this one was applied on top of it (attempt ${result.attempts}).`);
  }
  io.stdout(`${lines.join('\n')}\n`);
}
