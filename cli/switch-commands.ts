/** suspend, resume, status and list: the commands that read and write the switch table. */
import {
  getSwitch,
  listSwitches,
  resumeSwitch,
  suspendSwitch,
  type SwitchTable,
  type SwitchWriteResult,
} from '../functions/switch/switch-writes';
import { createCliDynamoClient } from './dynamodb-client';
import type { CliIo } from './cli-io';
import { deadlineSignal, endpointOverrideNote, resolveTable } from './common-options';
import { EXIT, type FailureContext } from './errors';
import { printable, renderNotes, renderTable, toSwitchView, type SwitchView } from './render';
import type { RunLine, SwitchArguments } from './switch-arguments';

export async function runSwitchCommand(line: RunLine, parsed: SwitchArguments, io: CliIo, context: FailureContext): Promise<number> {
  const { name: tableName, region: stackRegion } = await resolveTable(line.options, io, parsed.command);
  Object.assign(context, { service: 'DynamoDB', subject: `table "${tableName}"`, timeoutSeconds: parsed.timeoutSeconds });

  const region = parsed.region ?? stackRegion;
  const note = endpointOverrideNote(line.options, io.env, 'AWS_ENDPOINT_URL_DYNAMODB');
  if (note) io.stderr(note);
  const client = createCliDynamoClient(region ? { region } : {});
  const table: SwitchTable = { client, tableName };
  // One deadline for the whole command, retries and conflict re-reads included.
  const deadline = { abortSignal: deadlineSignal(parsed.timeoutSeconds) };
  try {
    if (parsed.write) {
      const options = { ...deadline, now: io.now };
      const result =
        parsed.write.kind === 'suspend'
          ? await suspendSwitch(table, parsed.write.input, options)
          : await resumeSwitch(table, parsed.write.input, options);
      printWrite(io, parsed.json, result);
      return EXIT.ok;
    }
    if (parsed.name !== undefined) {
      const view = toSwitchView(await getSwitch(table, parsed.name, deadline), io.now());
      io.stdout(parsed.json ? toJson(view) : [renderTable([view]), ...renderNotes(view), ''].join('\n'));
      return EXIT.ok;
    }
    const views = (await listSwitches(table, deadline)).map((stored) => toSwitchView(stored, io.now()));
    if (parsed.json) io.stdout(toJson(views));
    else if (views.length === 0) io.stdout(`No switches in table "${tableName}": every switch is active.\n`);
    else {
      const notes = parsed.command === 'status' ? views.flatMap(renderNotes) : [];
      io.stdout([renderTable(views), ...notes, ''].join('\n'));
    }
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

function printWrite(io: CliIo, json: boolean, result: SwitchWriteResult): void {
  const view = toSwitchView({ kind: 'record', name: result.record.name, record: result.record, warnings: [] }, io.now());
  if (json) return io.stdout(toJson(view));
  const { record } = result;
  const what = record.suspended
    ? `Suspended "${record.name}"${record.until ? ` until ${record.until}` : ''}: ${printable(record.reason ?? '')}`
    : `Resumed "${record.name}"${record.reason ? `: ${printable(record.reason)}` : ''}`;
  const lines = [`${what} (version ${record.version}, by ${printable(record.updatedBy ?? '')} at ${record.updatedAt}).`];
  if (result.attempts > 1) {
    lines.push(`Note: another write to "${record.name}" landed first; this one was applied on top of it (attempt ${result.attempts}).`);
  }
  io.stdout(`${lines.join('\n')}\n`);
}

function toJson(value: SwitchView | readonly SwitchView[]): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
