import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SWITCH_KEY } from '../../functions/switch/schema';
import { suspendSwitch, type SwitchTableClient } from '../../functions/switch/switch-operations';

/**
 * Writes a switch item with raw attribute values, as any tool might (including malformed ones), bypassing the
 * library's writes on purpose.
 */
export async function putRawSwitchItem(
  client: DynamoDBClient,
  tableName: string,
  name: string,
  attributes: Record<string, AttributeValue>,
): Promise<void> {
  await client.send(new PutItemCommand({ TableName: tableName, Item: { [SWITCH_KEY.name]: { S: name }, ...attributes } }));
}

/** A well-formed item: suspended or not, with an optional reason and `until`. */
export function switchAttributes(options: { suspended: boolean; reason?: string; until?: string; version?: number }): Record<string, AttributeValue> {
  return {
    suspended: { BOOL: options.suspended },
    ...(options.reason !== undefined ? { reason: { S: options.reason } } : {}),
    ...(options.until !== undefined ? { until: { S: options.until } } : {}),
    updatedAt: { S: '2030-01-01T00:00:00.000Z' },
    updatedBy: { S: 'test' },
    version: { N: String(options.version ?? 1) },
  };
}

/** Counts the requests `client` sends (each attempt's operation), so tests can assert what hit DynamoDB. */
export function countRequests(client: DynamoDBClient): { readonly count: () => number; readonly operations: string[] } {
  const operations: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      operations.push(String(context.commandName));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  return { count: () => operations.length, operations };
}

/** What the CLI tests start from: `global` suspended until 2099 and `api` suspended without an end (version 1, by `seed`). */
export async function seedCliSwitches(table: SwitchTableClient): Promise<void> {
  await suspendSwitch(table, { name: 'global', reason: 'seeded', until: '2099-01-01T00:00:00Z', by: 'seed' });
  await suspendSwitch(table, { name: 'api', reason: 'seeded', by: 'seed' });
}
