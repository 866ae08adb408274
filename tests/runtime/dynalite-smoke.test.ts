import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SWITCH_KEY } from '../../functions/switch/schema';
import { startDynamo } from '../support/dynalite';

describe('local DynamoDB (dynalite)', () => {
  it('creates the switch table with the key schema the stack declares', async () => {
    const dynamo = await startDynamo();
    try {
      await dynamo.createSwitchTable('switches');
      const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'switches' }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: SWITCH_KEY.name, KeyType: 'HASH' }]);
      expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: SWITCH_KEY.name, AttributeType: 'S' }]);
    } finally {
      await dynamo.stop();
    }
  });
});
