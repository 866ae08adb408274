/**
 * Reads for operators and conditional writes of switch items: what the `suspense` CLI (and any other tool that
 * changes a switch) calls. Every write is conditional on the version it read, so two operators never silently
 * overwrite each other; on a conflict the write is re-applied on fresh state a bounded number of times.
 *
 * Deliberately no transactions: one item per switch needs none, and local DynamoDB (dynalite) lacks them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { KEYED_STATE_PROJECTION, STATE_PROJECTION } from './item-attributes';
import { SWITCH_ATTRIBUTES as A } from './schema';
import { appendHistory, parseHistory, storedEntry, type HistoryEntry } from './switch-history';
import {
  SwitchInputError,
  validateResumeInput,
  validateSuspendInput,
  validateSwitchName,
  type ResumeInput,
  type SuspendInput,
} from './switch-input';
import { parseSwitchItem, type SwitchRecord } from './switch-item';
import { SwitchConflictError, SwitchWriteUnconfirmedError } from './switch-write-errors';

export { SwitchConflictError, SwitchWriteUnconfirmedError };
export { SwitchInputError, validateResumeInput, validateSuspendInput, validateSwitchName, type ResumeInput, type SuspendInput };
export type { HistoryEntry };

/**
 * Where switches live: a client (plain or document) and the table's name. (The construct that creates the table is
 * SwitchTable, in stacks/.)
 */
export interface SwitchTableClient {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface SwitchReadOptions {
  /** Aborts the DynamoDB requests, e.g. `AbortSignal.timeout(ms)` for an overall deadline. @default none */
  readonly abortSignal?: AbortSignal;
}

export interface SwitchWriteOptions extends SwitchReadOptions {
  /** Writes attempted when the version moved under us (first attempt included). @default 5 */
  readonly maxAttempts?: number;
  /** The clock: `updatedAt` and the check that `until` is in the future. @default Date.now */
  readonly now?: () => number;
}

/** A switch as found in the table. */
export type StoredSwitch =
  /** No item: the switch is active. */
  | { readonly kind: 'absent'; readonly name: string }
  | { readonly kind: 'record'; readonly name: string; readonly record: SwitchRecord; readonly warnings: readonly string[] }
  /** An item that cannot say whether the switch is suspended (written by another tool). */
  | { readonly kind: 'unreadable'; readonly name: string; readonly problem: string };

export interface SwitchWriteResult {
  /** The item as written. */
  readonly record: SwitchRecord;
  /** The switch as it was just before this write. */
  readonly previous: StoredSwitch;
  /** Write attempts it took (1 unless another writer got in between). */
  readonly attempts: number;
}

/** What one write makes of a switch: its new state and who sets it. */
export interface SwitchChange {
  readonly suspended: boolean;
  /** Required when suspending. */
  readonly reason?: string;
  /** Only when suspending: when the suspension ends by itself (ISO 8601 UTC, in the future). */
  readonly until?: string;
  readonly by: string;
  /** When the event behind an automatic change happened, by the event source's clock; kept in the history. */
  readonly eventAt?: string;
}

/** A switch as a write decision sees it: its state and its history (oldest first), read together. */
export interface CurrentSwitch {
  readonly stored: StoredSwitch;
  readonly history: readonly HistoryEntry[];
}

/**
 * Decides the change to make given the switch as it is now, or undefined to leave it as it is. Called again on
 * fresh state when another write got in between, so it must decide from `current` and `nowMs` alone.
 */
export type SwitchDecision = (current: CurrentSwitch, nowMs: number) => SwitchChange | undefined;

const DEFAULT_MAX_ATTEMPTS = 5;

/** Reads one switch with a strongly consistent read: an operator acts on what is there now. */
export async function getSwitch(table: SwitchTableClient, name: string, options: SwitchReadOptions = {}): Promise<StoredSwitch> {
  const validName = validateSwitchName(name);
  return toStoredSwitch(validName, await readItem(table, validName, options.abortSignal, STATE_PROJECTION));
}

/**
 * The switch's history, newest first (at most MAX_HISTORY_ENTRIES); empty when the switch has no item or none
 * was recorded. A strongly consistent read of the history attribute alone.
 */
export async function getSwitchHistory(table: SwitchTableClient, name: string, options: SwitchReadOptions = {}): Promise<HistoryEntry[]> {
  const validName = validateSwitchName(name);
  const output = await documentClientOf(table.client).send(
    new GetCommand({
      TableName: table.tableName,
      Key: { [A.name]: validName },
      ConsistentRead: true,
      ProjectionExpression: '#history',
      ExpressionAttributeNames: { '#history': A.history },
    }),
    { abortSignal: options.abortSignal },
  );
  return parseHistory(output.Item?.[A.history]).reverse();
}

/** Every switch that has an item, sorted by name (a paginated, consistent Scan: switch tables are small). */
export async function listSwitches(table: SwitchTableClient, options: SwitchReadOptions = {}): Promise<StoredSwitch[]> {
  const client = documentClientOf(table.client);
  const found: StoredSwitch[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      // Without the histories: a listing needs each switch's state only.
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey, ...KEYED_STATE_PROJECTION }),
      { abortSignal: options.abortSignal },
    );
    for (const item of page.Items ?? []) {
      const name = item[A.name];
      if (typeof name === 'string') found.push(toStoredSwitch(name, item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Suspends a switch: `suspended` true, the reason, and `until` (removed when not given). */
export async function suspendSwitch(
  table: SwitchTableClient,
  input: SuspendInput,
  options: SwitchWriteOptions = {},
): Promise<SwitchWriteResult> {
  const now = options.now ?? Date.now;
  const valid = validateSuspendInput(input, now());
  const change: SwitchChange = { suspended: true, reason: valid.reason, ...(valid.until === undefined ? {} : { until: valid.until }), by: valid.by };
  return definitely(await writeSwitch(table, valid.name, valid.expectedVersion, options, () => change));
}

/** Resumes a switch: `suspended` false, `until` removed, the reason replaced (or removed when not given). */
export async function resumeSwitch(
  table: SwitchTableClient,
  input: ResumeInput,
  options: SwitchWriteOptions = {},
): Promise<SwitchWriteResult> {
  const valid = validateResumeInput(input);
  const change: SwitchChange = { suspended: false, ...(valid.reason === undefined ? {} : { reason: valid.reason }), by: valid.by };
  return definitely(await writeSwitch(table, valid.name, valid.expectedVersion, options, () => change));
}

/**
 * Changes a switch as `decide` says from its current state and history, or leaves it as it is when `decide`
 * answers undefined (then resolves to undefined). For writers whose change depends on what is there, such as an
 * alarm trip; the change is validated like an operator's, and written as conditionally.
 */
export async function changeSwitch(
  table: SwitchTableClient,
  name: string,
  decide: SwitchDecision,
  options: SwitchWriteOptions = {},
): Promise<SwitchWriteResult | undefined> {
  const validName = validateSwitchName(name);
  return writeSwitch(table, validName, undefined, options, (current, nowMs) => {
    const change = decide(current, nowMs);
    if (change === undefined) return undefined;
    if (change.suspended) {
      const valid = validateSuspendInput({ name: validName, reason: change.reason as string, by: change.by, ...(change.until === undefined ? {} : { until: change.until }) }, nowMs);
      return { ...change, reason: valid.reason, ...(valid.until === undefined ? {} : { until: valid.until }) };
    }
    if (change.until !== undefined) throw new SwitchInputError('until', 'a resume cannot have an until');
    validateResumeInput({ name: validName, by: change.by, ...(change.reason === undefined ? {} : { reason: change.reason }) });
    return change;
  });
}

function definitely(result: SwitchWriteResult | undefined): SwitchWriteResult {
  if (result === undefined) throw new Error('a write that always decides to change returned no result');
  return result;
}

type RawItem = Record<string, unknown> | undefined;

async function writeSwitch(
  table: SwitchTableClient,
  name: string,
  expectedVersion: number | undefined,
  options: SwitchWriteOptions,
  decide: (current: CurrentSwitch, nowMs: number) => SwitchChange | undefined,
): Promise<SwitchWriteResult | undefined> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a whole number from 1, got ${maxAttempts}`);
  const now = options.now ?? Date.now;
  const signal = options.abortSignal;

  let current = await readItem(table, name, signal);
  for (let attempt = 1; ; attempt++) {
    const currentVersion = versionOf(current);
    if (expectedVersion !== undefined && currentVersion !== expectedVersion) {
      throw new SwitchConflictError(name, attempt, currentVersion, expectedVersion);
    }
    const nowMs = now();
    const history = parseHistory(current?.[A.history]);
    const change = decide({ stored: toStoredSwitch(name, current), history }, nowMs);
    if (change === undefined) return undefined;
    const intended: SwitchRecord = {
      name,
      suspended: change.suspended,
      ...(change.reason === undefined ? {} : { reason: change.reason }),
      ...(change.until === undefined ? {} : { until: change.until }),
      updatedAt: new Date(nowMs).toISOString(),
      updatedBy: change.by,
      version: currentVersion + 1,
    };
    // The entry builds on the history of the version the write is conditional on: if the condition holds, that
    // history is the item's, so versions in it stay contiguous whoever writes concurrently.
    const entry: HistoryEntry = {
      version: intended.version,
      replacedVersion: currentVersion,
      suspended: intended.suspended,
      ...(intended.reason === undefined ? {} : { reason: intended.reason }),
      ...(intended.until === undefined ? {} : { until: intended.until }),
      at: intended.updatedAt as string,
      by: change.by,
      ...(change.eventAt === undefined ? {} : { eventAt: change.eventAt }),
    };
    try {
      await sendUpdate(table, current, intended, appendHistory(history, entry), signal);
      return { record: intended, previous: toStoredSwitch(name, current), attempts: attempt };
    } catch (error) {
      if (isConditionFailure(error)) {
        const retried = wasRetriedBySdk(error);
        const fresh = await readItem(table, name, signal).catch((readError: unknown) => {
          throw retried ? new SwitchWriteUnconfirmedError(name, error) : readError;
        });
        // The SDK retries a request whose answer was lost; if the first try landed, the retry fails its condition
        // against our own write. Counting that as a conflict and writing again would move the version twice.
        if (isSameWrite(fresh, intended)) return { record: intended, previous: toStoredSwitch(name, current), attempts: attempt };
        // A retried request whose earlier try may have landed before another writer's change: whether ours took
        // effect cannot be told any more, and writing again would re-apply it on top of theirs.
        if (retried) throw new SwitchWriteUnconfirmedError(name, error);
        if (expectedVersion !== undefined || attempt >= maxAttempts) {
          throw new SwitchConflictError(name, attempt, versionOf(fresh), expectedVersion);
        }
        current = fresh;
        await pause(attempt, signal);
        continue;
      }
      // A refusal is final only when it answered the one request sent: after an SDK retry (a lost answer, a 5xx,
      // throttling) an earlier try may have landed.
      if (isRejectedByService(error) && !wasRetriedBySdk(error)) throw error;
      // No answer (timeout, reset), or a refusal after retries: the write may or may not have landed. Read back.
      let fresh: RawItem;
      try {
        fresh = await readItem(table, name, signal);
      } catch {
        throw new SwitchWriteUnconfirmedError(name, error);
      }
      if (isSameWrite(fresh, intended)) return { record: intended, previous: toStoredSwitch(name, current), attempts: attempt };
      // Another writer's change is there now: ours may have landed before it, or not at all.
      if (versionOf(fresh) !== versionOf(current)) throw new SwitchWriteUnconfirmedError(name, error);
      throw error;
    }
  }
}

async function sendUpdate(
  table: SwitchTableClient,
  current: RawItem,
  intended: SwitchRecord,
  history: readonly HistoryEntry[],
  signal: AbortSignal | undefined,
): Promise<void> {
  // Every attribute goes through a placeholder: some of our names are DynamoDB reserved words, and a placeholder
  // for all of them costs nothing and keeps that a non-issue when attributes are added.
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  const remove: string[] = [];
  const assign = (attribute: string, value: unknown): void => {
    names[`#${attribute}`] = attribute;
    if (value === undefined) remove.push(`#${attribute}`);
    else {
      values[`:${attribute}`] = value;
      set.push(`#${attribute} = :${attribute}`);
    }
  };
  assign(A.suspended, intended.suspended);
  assign(A.reason, intended.reason);
  assign(A.until, intended.until);
  assign(A.updatedAt, intended.updatedAt);
  assign(A.updatedBy, intended.updatedBy);
  assign(A.version, intended.version);
  // The whole list, not list_append: the oldest entry must go in the same write, and an update expression can
  // neither slice a list nor SET and REMOVE paths of one attribute together.
  assign(A.history, history.map(storedEntry));

  let condition: string;
  if (current === undefined) {
    names['#key'] = A.name;
    condition = 'attribute_not_exists(#key)';
  } else if (current[A.version] === undefined) {
    // An item written by another tool, without a version: still only if nobody adds one first.
    names['#key'] = A.name;
    condition = 'attribute_exists(#key) AND attribute_not_exists(#version)';
  } else {
    // The stored value as read, whatever its type, so a malformed version is matched exactly too.
    values[':expected'] = current[A.version];
    condition = '#version = :expected';
  }

  await documentClientOf(table.client).send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { [A.name]: intended.name },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      // Nothing back: the written state is `intended`, and the item would bring its whole history along.
      ReturnValues: 'NONE',
    }),
    { abortSignal: signal },
  );
}

/** The whole item (writes need its history), or only the attributes `projection` names. */
async function readItem(
  table: SwitchTableClient,
  name: string,
  signal: AbortSignal | undefined,
  projection?: typeof STATE_PROJECTION,
): Promise<RawItem> {
  const output = await documentClientOf(table.client).send(
    new GetCommand({ TableName: table.tableName, Key: { [A.name]: name }, ConsistentRead: true, ...projection }),
    { abortSignal: signal },
  );
  return output.Item;
}

function toStoredSwitch(name: string, item: RawItem): StoredSwitch {
  if (item === undefined) return { kind: 'absent', name };
  const parsed = parseSwitchItem(name, item);
  return parsed.ok
    ? { kind: 'record', name, record: parsed.record, warnings: parsed.warnings }
    : { kind: 'unreadable', name, problem: parsed.problem };
}

/** The version a write builds on: 0 for no item, or an item whose version is missing or malformed. */
function versionOf(item: RawItem): number {
  const version = item?.[A.version];
  return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0 ? version : 0;
}

/** Whether `item` is exactly the write we attempted (same version, instant, author and content). */
function isSameWrite(item: RawItem, intended: SwitchRecord): boolean {
  if (item === undefined) return false;
  return (
    item[A.version] === intended.version &&
    item[A.updatedAt] === intended.updatedAt &&
    item[A.updatedBy] === intended.updatedBy &&
    item[A.suspended] === intended.suspended &&
    item[A.reason] === intended.reason &&
    item[A.until] === intended.until
  );
}

/** The SDK sent the request more than once (after a lost answer, a timeout or a throttle). */
function wasRetriedBySdk(error: unknown): boolean {
  const attempts = (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
  return attempts !== undefined && attempts > 1;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** DynamoDB answered and refused (missing table, validation, access): nothing was written. */
function isRejectedByService(error: unknown): boolean {
  const fault = (error as { $fault?: unknown } | null)?.$fault;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return fault === 'client' || (status !== undefined && status >= 400 && status < 500);
}

/** Jittered, growing pause so that competing writers spread out instead of colliding again. */
function pause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.random() * Math.min(250, 20 * 2 ** attempt);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const documentClients = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();

function documentClientOf(client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient {
  if (!(client instanceof DynamoDBClient)) return client;
  let documentClient = documentClients.get(client);
  if (!documentClient) {
    documentClient = DynamoDBDocumentClient.from(client);
    documentClients.set(client, documentClient);
  }
  return documentClient;
}
