/**
 * Reads for operators and conditional writes of switch items: what the `suspense` CLI (and any other tool that
 * changes a switch) calls. Every write is conditional on the version it read, so two operators never silently
 * overwrite each other; on a conflict the write is re-applied on fresh state a bounded number of times.
 *
 * Deliberately no transactions: one item per switch needs none, and local DynamoDB (dynalite) lacks them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SWITCH_ATTRIBUTES as A } from './schema';
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

/** Where switches live: a client (plain or document) and the table's name. */
export interface SwitchTable {
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

const DEFAULT_MAX_ATTEMPTS = 5;

/** Reads one switch with a strongly consistent read: an operator acts on what is there now. */
export async function getSwitch(table: SwitchTable, name: string, options: SwitchReadOptions = {}): Promise<StoredSwitch> {
  const validName = validateSwitchName(name);
  return toStoredSwitch(validName, await readItem(table, validName, options.abortSignal));
}

/** Every switch that has an item, sorted by name (a paginated, consistent Scan: switch tables are small). */
export async function listSwitches(table: SwitchTable, options: SwitchReadOptions = {}): Promise<StoredSwitch[]> {
  const client = documentClientOf(table.client);
  const found: StoredSwitch[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
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
  table: SwitchTable,
  input: SuspendInput,
  options: SwitchWriteOptions = {},
): Promise<SwitchWriteResult> {
  const now = options.now ?? Date.now;
  const valid = validateSuspendInput(input, now());
  return writeSwitch(table, valid.name, valid.expectedVersion, options, (updatedAt, version) => ({
    name: valid.name,
    suspended: true,
    reason: valid.reason,
    ...(valid.until === undefined ? {} : { until: valid.until }),
    updatedAt,
    updatedBy: valid.by,
    version,
  }));
}

/** Resumes a switch: `suspended` false, `until` removed, the reason replaced (or removed when not given). */
export async function resumeSwitch(
  table: SwitchTable,
  input: ResumeInput,
  options: SwitchWriteOptions = {},
): Promise<SwitchWriteResult> {
  const valid = validateResumeInput(input);
  return writeSwitch(table, valid.name, valid.expectedVersion, options, (updatedAt, version) => ({
    name: valid.name,
    suspended: false,
    ...(valid.reason === undefined ? {} : { reason: valid.reason }),
    updatedAt,
    updatedBy: valid.by,
    version,
  }));
}

type RawItem = Record<string, unknown> | undefined;

async function writeSwitch(
  table: SwitchTable,
  name: string,
  expectedVersion: number | undefined,
  options: SwitchWriteOptions,
  intend: (updatedAt: string, version: number) => SwitchRecord,
): Promise<SwitchWriteResult> {
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
    const intended = intend(new Date(now()).toISOString(), currentVersion + 1);
    try {
      const written = await sendUpdate(table, current, intended, signal);
      return { record: recordOf(name, written) ?? intended, previous: toStoredSwitch(name, current), attempts: attempt };
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

async function sendUpdate(table: SwitchTable, current: RawItem, intended: SwitchRecord, signal: AbortSignal | undefined): Promise<RawItem> {
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

  const output = await documentClientOf(table.client).send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { [A.name]: intended.name },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
    { abortSignal: signal },
  );
  return output.Attributes;
}

async function readItem(table: SwitchTable, name: string, signal: AbortSignal | undefined): Promise<RawItem> {
  const output = await documentClientOf(table.client).send(
    new GetCommand({ TableName: table.tableName, Key: { [A.name]: name }, ConsistentRead: true }),
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

function recordOf(name: string, item: RawItem): SwitchRecord | undefined {
  const stored = toStoredSwitch(name, item);
  return stored.kind === 'record' ? stored.record : undefined;
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
