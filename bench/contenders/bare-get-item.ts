/**
 * Benchmark probe, never shipped: one GetItem per invocation through the very client the switch library uses
 * (sharedDynamoClient with the same settings, traced the same way in Lambda), with nothing around it: no cache,
 * no parsing, no log line, no response shaping. The check's uncached path is compared with it, so the difference
 * is the library's own overhead. Answers `{ statusCode: 200 }` when the item exists, 404 when it does not.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sharedDynamoClient } from '../../functions/switch/dynamo-client';
import { ENV, settingsFromEnvironment, SWITCH_KEY } from '../../functions/switch/schema';

const client = sharedDynamoClient(settingsFromEnvironment());
const tableName = process.env[ENV.table];

export const handler = async (event: { readonly switch: string }): Promise<{ readonly statusCode: number }> => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { [SWITCH_KEY.name]: { S: event.switch } }, ConsistentRead: false }),
  );
  return { statusCode: Item ? 200 : 404 };
};
