import { suspendSwitch } from '../../functions/switch/switch-operations';
import { startDynamo, type LocalDynamo } from './dynalite';

/**
 * A local DynamoDB with one switch table holding what the CLI tests start from: `global` suspended until 2099 and
 * `api` suspended without an end (each at version 1, written by `seed`).
 */
export async function startSeededDynamo(tableName: string): Promise<LocalDynamo> {
  const dynamo = await startDynamo();
  try {
    await dynamo.createSwitchTable(tableName);
    const table = { client: dynamo.client, tableName };
    await suspendSwitch(table, { name: 'global', reason: 'seeded', until: '2099-01-01T00:00:00Z', by: 'seed' });
    await suspendSwitch(table, { name: 'api', reason: 'seeded', by: 'seed' });
    return dynamo;
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
