/**
 * The fault-injecting proxy the hardening tests rely on (tests/support/fault-proxy.ts): each mode, as a DynamoDB
 * client sees it. If these fail, the other hardening tests prove nothing.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../functions/switch/dynamo-client';
import { LOCAL_CREDENTIALS, useDynalite } from '../support/dynalite';
import { FAULTS, pollPhasePassed, startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { waitFor } from '../support/run-handler';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

const TABLE = 'switches';
const dynamo = useDynalite({ table: TABLE });
let proxy: FaultProxy;
/**
 * Gives up after 1 s: for the modes whose point is that a client times out. Long enough that on a busy machine the
 * request still reaches the proxy before the client gives up (the hang test counts it).
 */
let impatient: DynamoDBClient;
/**
 * Waits 10 s: for the modes whose point is not a timeout, so that a busy machine cannot turn their answer into
 * one (proxied requests take a few milliseconds when the machine is quiet).
 */
let patient: DynamoDBClient;

beforeAll(async () => {
  await putRawSwitchItem(dynamo.client, TABLE, 'global', switchAttributes({ suspended: true, reason: 'proxied' }));
  proxy = await startFaultProxy(dynamo.endpoint);
  // One attempt each: each mode shows as exactly one outcome.
  const sdk = { endpoint: proxy.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  impatient = createDynamoClient({ requestTimeoutMs: 1000, maxAttempts: 1, sdk });
  patient = createDynamoClient({ requestTimeoutMs: 10_000, maxAttempts: 1, sdk });
});
beforeEach(async () => {
  await proxy.setMode(FAULTS.pass);
  // A request an earlier test's client wrote before giving up is read now, and forgotten with the rest.
  await pollPhasePassed();
  proxy.reset();
});
afterAll(async () => {
  impatient?.destroy();
  patient?.destroy();
  await proxy?.stop();
});

/**
 * The item's `reason`, or the error as `{ name, status, message }`. Network errors are matched by message: under
 * Jest they come from another realm than the test's `Error`, and the SDK wraps them ("AWS SDK error wrapper for
 * ..."), dropping their `code`.
 */
async function getItem(client = patient): Promise<unknown> {
  try {
    const output = await client.send(new GetItemCommand({ TableName: TABLE, Key: { switch: { S: 'global' } } }));
    return output.Item?.reason?.S;
  } catch (error) {
    const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message };
  } finally {
    // The proxy has read what the client wrote, even if the client gave up first: proxy.requests is complete.
    await pollPhasePassed();
  }
}

const failure = (message: RegExp, status?: number) => ({ name: expect.any(String), status, message: expect.stringMatching(message) });
const RESET = /socket hang up|ECONNRESET/;
const TIMED_OUT = /exceeded the configured 1000 ms/;

describe('fault proxy', () => {
  it('passes requests through and counts them by operation', async () => {
    expect(await getItem()).toBe('proxied');
    expect(proxy.counts()).toEqual({ GetItem: 1 });
    expect(proxy.requests).toEqual([{ operation: 'GetItem', mode: 'pass', body: expect.stringContaining('"global"'), upstreamStatus: 200 }]);
  });

  it('refuses connections when down, and listens on the same port again when it heals', async () => {
    await proxy.setMode(FAULTS.down);
    expect(await getItem()).toEqual(failure(/ECONNREFUSED/));

    await proxy.setMode(FAULTS.pass);
    expect(await getItem()).toBe('proxied');
  });

  it('resets connections in refuse mode', async () => {
    await proxy.setMode(FAULTS.refuse);

    expect(await getItem()).toEqual(failure(RESET));
    expect(proxy.counts()).toEqual({});
  });

  it('reads requests and never answers them in hang mode', async () => {
    await proxy.setMode(FAULTS.hang);
    const startedAt = performance.now();

    expect(await getItem(impatient)).toEqual(failure(TIMED_OUT));
    // A lower bound only: a busy machine makes it longer, never shorter.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(950);
    expect(proxy.requests).toEqual([expect.objectContaining({ operation: 'GetItem', mode: 'hang' })]);
  });

  it.each([
    [FAULTS.throttle, 'ProvisionedThroughputExceededException'],
    [FAULTS.throttlingException, 'ThrottlingException'],
  ])('answers %j with DynamoDB\'s HTTP 400 throttling error', async (mode, name) => {
    await proxy.setMode(mode);

    expect(await getItem()).toEqual({ name, status: 400, message: 'Rate of requests exceeds the allowed throughput (injected by the fault proxy).' });
    expect(proxy.requests).toEqual([expect.not.objectContaining({ upstreamStatus: expect.anything() })]);
  });

  it('forwards slow requests late, and drops those whose client gave up', async () => {
    await proxy.setMode(FAULTS.slow(20));
    expect(await getItem()).toBe('proxied');

    await proxy.setMode(FAULTS.slow(1500));
    expect(await getItem(impatient)).toEqual(failure(TIMED_OUT));
    await waitFor(() => proxy.requests[1]?.dropped === true, 10_000);
    expect(proxy.requests.map(({ upstreamStatus, dropped }) => ({ upstreamStatus, dropped }))).toEqual([
      { upstreamStatus: 200, dropped: undefined },
      { upstreamStatus: undefined, dropped: true },
    ]);
  });

  it('lets a request take effect and loses its answer, every n-th request when asked', async () => {
    await proxy.setMode(FAULTS.loseEveryNthAnswer(2));

    expect(await getItem()).toBe('proxied');
    expect(await getItem()).toEqual(failure(RESET));
    expect(proxy.requests.map(({ upstreamStatus, answerLost }) => ({ upstreamStatus, answerLost }))).toEqual([
      { upstreamStatus: 200, answerLost: undefined },
      { upstreamStatus: 200, answerLost: true },
    ]);
  });

  it('switches mode by itself after a number of requests', async () => {
    proxy.setModeAfter(1, FAULTS.hang);

    expect(await getItem()).toBe('proxied');
    expect(await getItem(impatient)).toEqual(failure(TIMED_OUT));
    expect(proxy.mode).toEqual(FAULTS.hang);
  });
});
