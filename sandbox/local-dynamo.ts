import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSwitchTableRequest } from '../functions/switch/schema';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** A client for set-up and assertions, not the code under test. */
  readonly client: DynamoDBClient;
  /** Creates a table with the switch table's key schema (functions/switch/schema.ts). */
  createSwitchTable(tableName: string): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials: dynalite checks that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts an in-memory DynamoDB (dynalite) in this process on a loopback port (ephemeral unless `port` is given).
 * dynalite speaks the real wire protocol, so the AWS SDK, the function and the CLI talk to it unchanged.
 */
export async function startDynamo(port = 0): Promise<LocalDynamo> {
  // Table status changes are instant: dynalite otherwise simulates seconds of CREATING.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${actualPort}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port: actualPort,
    client,
    async createSwitchTable(tableName: string) {
      await client.send(new CreateTableCommand(createSwitchTableRequest(tableName)));
    },
    stop() {
      stopped ??= (async () => {
        client.destroy();
        // Keep-alive connections from SDK clients would otherwise hold close() open until they time out.
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return stopped;
    },
  };
}
