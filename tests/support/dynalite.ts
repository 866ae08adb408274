// The sandbox (`npm start`) and the tests share one way of starting a local DynamoDB.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SwitchTableClient } from '../../functions/switch/switch-operations';
import { startDynamo, type LocalDynamo } from '../../sandbox/local-dynamo';

export { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from '../../sandbox/local-dynamo';

export interface DynaliteSuiteOptions {
  /** A switch table to create once, before the suite's own `beforeAll` hooks run. @default none */
  readonly table?: string;
}

/** A dynalite shared by the tests of one file or describe block; read its properties only in tests and hooks. */
export interface DynaliteSuite {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB or a client's `endpoint`. */
  readonly endpoint: string;
  /** A client for set-up and assertions, not the code under test. */
  readonly client: DynamoDBClient;
  /** The table named by the `table` option, with `client`. */
  readonly table: SwitchTableClient;
  /** Creates a switch table that no other test uses (`switches-<n>`): for tests that start from an empty table. */
  newTable(): Promise<SwitchTableClient>;
  /** Creates a switch table with this name. */
  createSwitchTable(tableName: string): Promise<void>;
}

/**
 * Starts a dynalite in a `beforeAll` and stops it in an `afterAll`, both registered in the enclosing describe block
 * (or file), so a test file states only what its tests start from. Hooks declared after this call see it started.
 */
export function useDynalite(options: DynaliteSuiteOptions = {}): DynaliteSuite {
  let dynamo: LocalDynamo | undefined;
  let tables = 0;
  const started = (): LocalDynamo => {
    if (!dynamo) throw new Error('useDynalite: dynalite starts in beforeAll; use it inside tests and hooks');
    return dynamo;
  };

  beforeAll(async () => {
    dynamo = await startDynamo();
    if (options.table !== undefined) await dynamo.createSwitchTable(options.table);
  });
  afterAll(() => dynamo?.stop());

  return {
    get endpoint() {
      return started().endpoint;
    },
    get client() {
      return started().client;
    },
    get table() {
      if (options.table === undefined) throw new Error('useDynalite: no table option was given');
      return { client: started().client, tableName: options.table };
    },
    async newTable() {
      const tableName = `switches-${++tables}`;
      await started().createSwitchTable(tableName);
      return { client: started().client, tableName };
    },
    createSwitchTable: (tableName) => started().createSwitchTable(tableName),
  };
}
