import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, readDeadlineMs, sharedDynamoClient } from '../../functions/switch/dynamo-client';
import { LOCAL_CREDENTIALS, startDynamo } from '../support/dynalite';
import { putRawSwitchItem, switchAttributes } from '../support/switch-items';

describe('DynamoDB client', () => {
  it('bounds a whole read by every attempt timing out plus a pause between attempts', () => {
    expect(readDeadlineMs({ requestTimeoutMs: 250, maxAttempts: 3 })).toBe(950);
    expect(readDeadlineMs({ requestTimeoutMs: 100, maxAttempts: 1 })).toBe(100);
  });

  it.each([
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs must be a number of milliseconds above 0, got 0'],
    [{ requestTimeoutMs: Number.NaN }, 'requestTimeoutMs must be a number of milliseconds above 0, got NaN'],
    [{ connectionTimeoutMs: -1 }, 'connectionTimeoutMs must be a number of milliseconds above 0, got -1'],
    [{ maxAttempts: 0 }, 'maxAttempts must be a whole number of at least 1, got 0'],
    [{ maxAttempts: 2.5 }, 'maxAttempts must be a whole number of at least 1, got 2.5'],
  ])('refuses the limits %j with a clear message', (options, message) => {
    expect(() => createDynamoClient(options)).toThrow(message);
  });

  it('shares one client per execution environment and set of limits', () => {
    const limits = { requestTimeoutMs: 321, maxAttempts: 2 };

    expect(sharedDynamoClient(limits)).toBe(sharedDynamoClient({ ...limits }));
    expect(sharedDynamoClient(limits)).not.toBe(sharedDynamoClient({ requestTimeoutMs: 321, maxAttempts: 3 }));
  });

  it('reaches the endpoint named by the standard AWS_ENDPOINT_URL_DYNAMODB variable', async () => {
    const dynamo = await startDynamo();
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    const client = createDynamoClient({ sdk: { region: 'us-east-1', credentials: LOCAL_CREDENTIALS } });
    try {
      await dynamo.createSwitchTable('switches');
      await putRawSwitchItem(dynamo.client, 'switches', 'somewhere', switchAttributes({ suspended: true }));

      const output = await client.send(new GetItemCommand({ TableName: 'switches', Key: { switch: { S: 'somewhere' } } }));

      expect(output.Item?.suspended).toEqual({ BOOL: true });
    } finally {
      client.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
      await dynamo.stop();
    }
  });
});
