import type { Context } from 'aws-lambda';
import { createDynamoClient } from '../../functions/switch/dynamo-client';
import { SwitchStore, withSwitch, type SwitchState } from '../../functions/switch';
import { LOCAL_CREDENTIALS, startDynamo, useDynalite } from '../support/dynalite';
import { lambdaLikeEnvironment } from '../support/environment';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

const TABLE = 'switches';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const context = { awsRequestId: 'guard-test' } as Context;

describe('withSwitch guard', () => {
  const dynamo = useDynalite({ table: TABLE });
  let store: SwitchStore;
  let destroyClient: () => void;

  beforeAll(async () => {
    await putRawSwitchItem(dynamo.client, TABLE, 'orders', switchAttributes({ suspended: false }));
    await putRawSwitchItem(dynamo.client, TABLE, 'payments', switchAttributes({ suspended: true, reason: 'outage', until: '2030-01-01T00:00:10.000Z' }));
    const client = createDynamoClient({ sdk: { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });
    destroyClient = () => client.destroy();
    store = new SwitchStore({ tableName: TABLE, client, clock: () => T0, log: () => undefined });
  });
  afterAll(() => destroyClient());

  it('calls the handler with its event and context while the switch is active', async () => {
    const handler = jest.fn(async (event: { order: number }) => ({ statusCode: 201, body: `order ${event.order}` }));
    const guarded = withSwitch(handler, { switch: 'orders', store });

    const result = await guarded({ order: 7 }, context);

    expect(result).toEqual({ statusCode: 201, body: 'order 7' });
    expect(handler).toHaveBeenCalledWith({ order: 7 }, context);
  });

  it('answers 503 with Retry-After and does not call the handler while the switch is suspended', async () => {
    const handler = jest.fn(async () => ({ statusCode: 200, body: 'charged' }));
    const guarded = withSwitch(handler, { switch: 'payments', store, clock: () => T0 });

    const result = await guarded({}, context);

    expect(result).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '10' },
      body: '{"switch":"payments","suspended":true,"reason":"outage","until":"2030-01-01T00:00:10.000Z"}',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('picks the switch from the event when given a function', async () => {
    const guarded = withSwitch(async () => 'ran', { switch: (event: { tenant: string }) => event.tenant, store });

    expect(await guarded({ tenant: 'orders' }, context)).toBe('ran');
    expect(await guarded({ tenant: 'payments' }, context)).toMatchObject({ statusCode: 503 });
  });

  it('answers with whenSuspended instead of a 503 when given one', async () => {
    const seen: SwitchState[] = [];
    const guarded = withSwitch(async () => 'processed', {
      switch: 'payments',
      store,
      whenSuspended: (state) => {
        seen.push(state);
        throw new Error(`suspended: ${state.reason}`);
      },
    });

    await expect(guarded({}, context)).rejects.toThrow('suspended: outage');
    expect(seen).toEqual([expect.objectContaining({ switch: 'payments', suspended: true })]);
  });

  it('refuses an invalid switch name when wrapping, not at the first invocation', () => {
    expect(() => withSwitch(async () => 'x', { switch: 'not valid', store })).toThrow(
      'withSwitch: invalid switch name "not valid": a name is 1-64 characters matching /^[A-Za-z0-9._-]{1,64}$/',
    );
  });

  it('rejects the invocation when the event yields an invalid switch name', async () => {
    const guarded = withSwitch(async () => 'x', { switch: () => '../etc', store });

    await expect(guarded({}, context)).rejects.toThrow(/invalid switch name "\.\.\/etc"/);
  });
});

describe('withSwitch guard configured from the environment', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  /** A fresh copy of the library, so that its per-execution-environment store reads this test's variables. */
  function freshLibrary(): typeof import('../../functions/switch') {
    let library: typeof import('../../functions/switch') | undefined;
    jest.isolateModules(() => {
      library = require('../../functions/switch');
    });
    return library!;
  }

  it('reads the switch table named by SUSPENSE_TABLE when given no store', async () => {
    const dynamo = await startDynamo();
    try {
      await dynamo.createSwitchTable('team-switches');
      await putRawSwitchItem(dynamo.client, 'team-switches', 'orders', switchAttributes({ suspended: true, reason: 'stock count' }));
      process.env = { ...savedEnv, ...lambdaLikeEnvironment(dynamo.endpoint, { SUSPENSE_TABLE: 'team-switches' }) };
      const { withSwitch: guard, sharedSwitchStore } = freshLibrary();
      const guarded = guard(async () => 'ran', { switch: 'orders' });
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

      const result = await guarded({}, context);

      expect(result).toMatchObject({ statusCode: 503, body: '{"switch":"orders","suspended":true,"reason":"stock count","until":null}' });
      expect(sharedSwitchStore().tableName).toBe('team-switches');
    } finally {
      jest.restoreAllMocks();
      await dynamo.stop();
    }
  });

  it('rejects the invocation with a message naming SUSPENSE_TABLE when it is not set', async () => {
    process.env = { ...savedEnv };
    delete process.env.SUSPENSE_TABLE;
    const { withSwitch: guard } = freshLibrary();
    const guarded = guard(async () => 'ran', { switch: 'orders' });

    await expect(guarded({}, context)).rejects.toThrow(/^SUSPENSE_TABLE is not set/);
  });
});
