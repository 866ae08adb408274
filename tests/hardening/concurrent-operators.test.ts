/**
 * Many operators changing one switch at once (the switch library's writes, as the CLI makes them, and CLI
 * processes), while readers watch: no update is lost or applied twice, the version moves by exactly the writes that
 * landed, and no reader ever sees a torn item.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient } from '../../functions/switch/dynamo-client';
import { SwitchStore } from '../../functions/switch/switch-store';
import { resumeSwitch, suspendSwitch, type SwitchWriteResult } from '../../functions/switch/switch-operations';
import { baseEnv, runCli } from '../cli/cli-harness';
import { LOCAL_CREDENTIALS, useDynalite, type DynaliteSuite } from '../support/dynalite';
import { FAULTS, startFaultProxy, type FaultMode, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy';

/**
 * Per-request timeout of the operators' clients. No test here is about a timeout: a request that times out is
 * treated as possibly applied (and may then be reported unconfirmed), which a busy machine must not cause, so it is
 * far above what 24 concurrent writers take on a quiet machine (tens of milliseconds).
 */
const REQUEST_TIMEOUT_MS = 60_000;
/** The races take seconds on a quiet machine and several times that on a crowded one; jest's 60 s is too short. */
const RACE_TIMEOUT_MS = 300_000;

const TABLE = 'switches';
const WRITERS = 24;
const OPERATIONS_PER_WRITER = 4;

/** One operator action: writer `writer`'s `step`-th change. Suspends on even steps, resumes on odd ones. */
interface Operation {
  readonly writer: number;
  readonly step: number;
  readonly suspend: boolean;
  /** Unique per operation: what a landed write can be recognised by. */
  readonly reason: string;
  readonly by: string;
  readonly until?: string;
}

function operation(writer: number, step: number): Operation {
  const suspend = step % 2 === 0;
  return {
    writer,
    step,
    suspend,
    reason: suspend ? `w${writer}#${step}` : `resume w${writer}#${step}`,
    by: `w${writer}`,
    ...(suspend && step % 4 === 2 ? { until: new Date(Date.UTC(2099, 0, 1) + (writer * 100 + step) * 1000).toISOString() } : {}),
  };
}

const OPERATION_REASON = /^(resume )?w(\d+)#(\d+)$/;

/**
 * Why `item` is torn (a mix of two writes, or half of one), or undefined when it is whole: its reason, author,
 * flag and `until` must all come from the same operation.
 */
function tornness(item: Record<string, unknown>): string | undefined {
  const match = OPERATION_REASON.exec(String(item.reason));
  if (!match) return `reason ${JSON.stringify(item.reason)} was written by no operation`;
  const expected = operation(Number(match[2]), Number(match[3]));
  const whole =
    item.reason === expected.reason &&
    item.updatedBy === expected.by &&
    item.suspended === expected.suspend &&
    item.until === expected.until &&
    typeof item.updatedAt === 'string' &&
    Number.isSafeInteger(item.version);
  return whole ? undefined : `item ${JSON.stringify(item)} mixes attributes of different writes`;
}

type Outcome =
  | { readonly kind: 'written'; readonly operation: Operation; readonly result: SwitchWriteResult }
  | { readonly kind: 'refused'; readonly operation: Operation; readonly error: string };

async function perform(client: DynamoDBClient, name: string, op: Operation): Promise<Outcome> {
  const table = { client, tableName: TABLE };
  try {
    const result = op.suspend
      ? await suspendSwitch(table, { name, reason: op.reason, by: op.by, ...(op.until ? { until: op.until } : {}) })
      : await resumeSwitch(table, { name, reason: op.reason, by: op.by });
    return { kind: 'written', operation: op, result };
  } catch (error) {
    return { kind: 'refused', operation: op, error: error instanceof Error ? error.name : String(error) };
  }
}

/** The UpdateItem requests that took effect (DynamoDB answered 200, whether or not the answer arrived). */
function landedWrites(requests: readonly ProxiedRequest[]): { reason: string; version: number }[] {
  return requests
    .filter((request) => request.operation === 'UpdateItem' && request.upstreamStatus === 200)
    .map((request) => {
      const values = (JSON.parse(request.body) as { ExpressionAttributeValues: Record<string, { S?: string; N?: string }> }).ExpressionAttributeValues;
      return { reason: String(values[':reason']?.S), version: Number(values[':version']?.N) };
    });
}

/** What readers saw while the writers ran. */
interface Watch {
  reads: number;
  torn: string[];
  /** Versions seen by the strongly consistent reader, in order. */
  versions: number[];
}

/**
 * Reads the switch over and over until `done()`: strongly consistent GetItem, and the switch store with TTL 0 (every
 * read goes to DynamoDB, as the check does after each TTL). Readers talk to DynamoDB directly, not through the
 * proxy: they watch, the writers are under test.
 */
async function watch(dynamo: DynaliteSuite, name: string, done: () => boolean): Promise<Watch> {
  const seen: Watch = { reads: 0, torn: [], versions: [] };
  const document = DynamoDBDocumentClient.from(dynamo.client);
  const storeClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  // The reader's deadline is as unhurried as the writers' requests: an answer from a fail-mode default or stale state
  // would be the store giving up on a crowded machine, not a torn item.
  const store = new SwitchStore({ tableName: TABLE, client: storeClient, settings: { cacheTtlSeconds: 0, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxAttempts: 1 }, log: () => undefined });
  const consistentReader = async (): Promise<void> => {
    while (!done()) {
      const { Item } = await document.send(new GetCommand({ TableName: TABLE, Key: { switch: name }, ConsistentRead: true }));
      seen.reads++;
      if (Item) {
        const why = tornness(Item);
        if (why) seen.torn.push(why);
        seen.versions.push(Number(Item.version));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const storeReader = async (): Promise<void> => {
    while (!done()) {
      const state = await store.readSwitch(name);
      seen.reads++;
      if (state.source !== 'fresh') seen.torn.push(`the store answered from ${state.source}`);
      if (state.record) {
        const why = tornness({ ...state.record });
        if (why) seen.torn.push(why);
        if (state.suspended !== state.record.suspended) seen.torn.push(`state ${JSON.stringify(state)} disagrees with its record`);
        if (state.suspended && state.reason !== state.record.reason) seen.torn.push(`state ${JSON.stringify(state)} has another reason than its record`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    await Promise.all([consistentReader(), consistentReader(), storeReader(), storeReader()]);
  } finally {
    storeClient.destroy();
  }
  return seen;
}

const isNonDecreasing = (values: readonly number[]): boolean => values.every((value, index) => index === 0 || value >= values[index - 1]!);

describe('many operators on one switch', () => {
  const dynamo = useDynalite({ table: TABLE });
  let proxy: FaultProxy;
  let writerClient: DynamoDBClient;
  /** A client with the CLI's limits (seconds per request, 3 attempts) through the proxy. */
  const newWriterClient = (): DynamoDBClient =>
    createDynamoClient({ requestTimeoutMs: REQUEST_TIMEOUT_MS, maxAttempts: 3, sdk: { endpoint: proxy.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });

  beforeAll(async () => {
    proxy = await startFaultProxy(dynamo.endpoint);
    writerClient = newWriterClient();
  });
  afterAll(async () => {
    writerClient?.destroy();
    await proxy?.stop();
  });

  /** Runs every writer's operations (each writer one after another, the writers all at once) while readers watch. */
  async function race(name: string, mode: FaultMode): Promise<{ outcomes: Outcome[]; seen: Watch; final: Record<string, unknown> | undefined }> {
    await proxy.setMode(mode);
    proxy.reset();
    // A client of its own: the SDK's retry budget spent in one race must not change the next.
    const client = newWriterClient();
    let writing = true;
    const watching = watch(dynamo, name, () => !writing);
    const outcomes = (
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          const mine: Outcome[] = [];
          for (let step = 0; step < OPERATIONS_PER_WRITER; step++) mine.push(await perform(client, name, operation(writer, step)));
          return mine;
        }),
      )
    ).flat();
    writing = false;
    client.destroy();
    const seen = await watching;
    await proxy.setMode(FAULTS.pass);
    const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(new GetCommand({ TableName: TABLE, Key: { switch: name }, ConsistentRead: true }));
    return { outcomes, seen, final: Item };
  }

  it(`${WRITERS} writers × ${OPERATIONS_PER_WRITER} changes: the version moves by exactly the writes that succeeded, and readers never see a torn item`, async () => {
    const { outcomes, seen, final } = await race('contended', FAULTS.pass);

    const written = outcomes.filter((outcome) => outcome.kind === 'written');
    const refused = outcomes.filter((outcome) => outcome.kind === 'refused');
    // The library retries on fresh state a bounded number of times; a write that still loses says so.
    expect(new Set(refused.map((outcome) => outcome.error))).toEqual(new Set(refused.length > 0 ? ['SwitchConflictError'] : []));
    expect(written.length).toBeGreaterThan(0);
    // No lost update: every success has a version of its own, and together they are every version there is.
    const versions = written.map((outcome) => outcome.result.record.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: written.length }, (_, index) => index + 1));
    expect(final?.version).toBe(written.length);
    // What landed is exactly what reported success; a refused write changed nothing.
    expect(landedWrites(proxy.requests).map((write) => write.reason).sort()).toEqual(written.map((outcome) => outcome.operation.reason).sort());
    const last = written.find((outcome) => outcome.result.record.version === written.length)!;
    const { history, ...state } = final ?? {};
    // The history is the successful writes themselves, in version order, each with its writer's own by and reason.
    const byVersion = [...written].sort((a, b) => a.result.record.version - b.result.record.version);
    expect((history as Array<Record<string, unknown>>).map(({ version, replacedVersion, by, reason }) => ({ version, replacedVersion, by, reason }))).toEqual(
      byVersion.slice(-50).map((outcome) => ({
        version: outcome.result.record.version,
        replacedVersion: outcome.result.record.version - 1,
        by: outcome.operation.by,
        reason: outcome.operation.reason,
      })),
    );
    expect(state).toEqual({
      switch: 'contended',
      suspended: last.operation.suspend,
      reason: last.operation.reason,
      ...(last.operation.until ? { until: last.operation.until } : {}),
      updatedBy: last.operation.by,
      updatedAt: last.result.record.updatedAt,
      version: written.length,
    });

    expect(seen.reads).toBeGreaterThan(50);
    expect(seen.torn).toEqual([]);
    expect(isNonDecreasing(seen.versions)).toBe(true);
  }, RACE_TIMEOUT_MS);

  it('with every fourth answer from DynamoDB lost: no write lands twice, a failure that is not "unconfirmed" wrote nothing, and the version counts what landed', async () => {
    const { outcomes, seen, final } = await race('contended-lossy', FAULTS.loseEveryNthAnswer(4));

    const landed = landedWrites(proxy.requests);
    const timesLanded = (op: Operation): number => landed.filter((write) => write.reason === op.reason).length;
    expect(proxy.requests.some((request) => request.answerLost)).toBe(true);
    // The version moves by one per write that took effect, whether or not its writer heard back.
    expect(final?.version).toBe(landed.length);
    expect(landed.map((write) => write.version).sort((a, b) => a - b)).toEqual(Array.from({ length: landed.length }, (_, index) => index + 1));
    for (const outcome of outcomes) {
      if (outcome.kind === 'written') {
        // A reported success took effect exactly once, at the version it reports.
        expect({ reason: outcome.operation.reason, landed: timesLanded(outcome.operation) }).toEqual({ reason: outcome.operation.reason, landed: 1 });
        expect(landed.find((write) => write.reason === outcome.operation.reason)?.version).toBe(outcome.result.record.version);
      } else if (outcome.error === 'SwitchWriteUnconfirmedError') {
        // "could not confirm whether the write was applied": it may have landed, once at most.
        expect(timesLanded(outcome.operation)).toBeLessThanOrEqual(1);
      } else {
        // Any other failure (a conflict, a lost connection before anything was written) wrote nothing.
        expect({ reason: outcome.operation.reason, error: outcome.error, landed: timesLanded(outcome.operation) }).toEqual({ reason: outcome.operation.reason, error: outcome.error, landed: 0 });
      }
    }
    expect(seen.torn).toEqual([]);
    expect(isNonDecreasing(seen.versions)).toBe(true);
  }, RACE_TIMEOUT_MS);

  it.each([
    ['retries the request (3 attempts)', 3],
    ['does not retry (1 attempt)', 1],
  ])(
    "does not apply a write twice, or claim it failed, when its answer was lost and another operator wrote before the SDK %s",
    async (_sdk, maxAttempts) => {
      const name = `lost-answer-${maxAttempts}`;
      const direct = { client: dynamo.client, tableName: TABLE };
      const client = createDynamoClient({ requestTimeoutMs: REQUEST_TIMEOUT_MS, maxAttempts, sdk: { endpoint: proxy.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });
      await suspendSwitch(direct, { name, reason: 'first', by: 'setup' });
      proxy.reset();
      // Operator A's read passes; its write lands but the answer is lost. Meanwhile operator B resumes the switch.
      let resumedByB: SwitchWriteResult | undefined;
      await proxy.setMode({
        kind: 'lose-answers',
        every: 2,
        whileLost: async () => {
          resumedByB = await resumeSwitch(direct, { name, reason: 'incident over', by: 'operator-b' });
          await proxy.setMode(FAULTS.pass);
        },
      });

      const outcome = await perform(client, name, { writer: 0, step: 0, suspend: true, reason: 'suspended by A', by: 'operator-a' });
      client.destroy();

      const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(new GetCommand({ TableName: TABLE, Key: { switch: name }, ConsistentRead: true }));
      expect(resumedByB?.record.version).toBe(3);
      // A's change took effect once (version 2) and B's resume after it is the switch's state: A must not re-apply
      // its change on top of B's. A cannot know whether its write landed, and says so.
      expect(landedWrites(proxy.requests).filter((write) => write.reason === 'suspended by A')).toEqual([{ reason: 'suspended by A', version: 2 }]);
      expect(outcome).toMatchObject({ kind: 'refused', error: 'SwitchWriteUnconfirmedError' });
      expect(Item).toMatchObject({ suspended: false, reason: 'incident over', updatedBy: 'operator-b', version: 3 });
    },
  );

  it('reads back rather than reporting a refusal when the SDK retried a write whose first try landed and was then throttled', async () => {
    const name = 'lost-then-throttled';
    const direct = { client: dynamo.client, tableName: TABLE };
    const client = createDynamoClient({ requestTimeoutMs: REQUEST_TIMEOUT_MS, maxAttempts: 3, sdk: { endpoint: proxy.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });
    await suspendSwitch(direct, { name, reason: 'first', by: 'setup' });
    proxy.reset();
    // The read passes (lose-answers drops every 2nd answer); the write lands but its answer is lost; the SDK's two retries are throttled; the read-back passes.
    await proxy.setMode({
      kind: 'lose-answers',
      every: 2,
      whileLost: async () => {
        await proxy.setMode(FAULTS.throttle);
        proxy.setModeAfter(2, FAULTS.pass);
      },
    });

    const result = await resumeSwitch({ client, tableName: TABLE }, { name, reason: 'all clear', by: 'operator-a' });
    client.destroy();

    expect(result.record).toMatchObject({ suspended: false, reason: 'all clear', version: 2 });
    expect(proxy.requests.map((request) => `${request.operation} ${request.mode}`)).toEqual([
      'GetItem lose-answers',
      'UpdateItem lose-answers',
      'UpdateItem throttle',
      'UpdateItem throttle',
      'GetItem pass',
    ]);
  });

  it('CLI processes and library writers together: each success moves the version by one', async () => {
    const name = 'contended-cli';
    const cli = async (index: number) => {
      const args = index % 2 === 0 ? ['suspend', name, '--reason', `cli ${index}`] : ['resume', name];
      const { code, stderr } = await runCli([...args, '--table', TABLE, '--by', `cli${index}`], { env: baseEnv(proxy.endpoint), killAfterMs: 30_000 });
      return { code, stderr };
    };
    proxy.reset();

    const [cliResults, libraryOutcomes] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, (_, index) => cli(index))),
      Promise.all(Array.from({ length: 8 }, (_, writer) => perform(writerClient, name, operation(writer, writer % 2)))),
    ]);

    const cliSucceeded = cliResults.filter((result) => result.code === 0).length;
    for (const failed of cliResults.filter((result) => result.code !== 0)) {
      expect(failed).toEqual({ code: 1, stderr: expect.stringMatching(/^suspense: switch "contended-cli" kept changing under concurrent writes .*; nothing written by this call, try again\n$/) });
    }
    const librarySucceeded = libraryOutcomes.filter((outcome) => outcome.kind === 'written').length;
    const { Item } = await DynamoDBDocumentClient.from(dynamo.client).send(new GetCommand({ TableName: TABLE, Key: { switch: name }, ConsistentRead: true }));
    expect(Item?.version).toBe(cliSucceeded + librarySucceeded);
    expect(landedWrites(proxy.requests)).toHaveLength(cliSucceeded + librarySucceeded);
  }, RACE_TIMEOUT_MS);
});
