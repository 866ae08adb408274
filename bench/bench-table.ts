import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../sandbox/local-dynamo';
import { createSwitchTableRequest, DEFAULT_SWITCH_NAME, SWITCH_ATTRIBUTES as A, SWITCH_KEY } from '../functions/switch/schema';
import { PROJECT_ROOT } from '../stacks/project-root';

/** The switch every warm invocation reads: the default switch, which the console test event checks. Active. */
export const ACTIVE_SWITCH = DEFAULT_SWITCH_NAME;
/** A switch suspended for an hour, to check that every contender answers 503. */
export const SUSPENDED_SWITCH = 'maintenance';

export interface BenchTable {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly tableName: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/**
 * Starts the benchmark's DynamoDB (dynalite, in a child process: bench/dynamo-server.ts), creates the switch table
 * and writes the two switches the contenders read. Both switches have an item: Powertools caches only values it
 * finds, and the cached path is what the warm figures compare.
 */
export async function startBenchTable(tableName: string): Promise<BenchTable> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'tools/run-ts.js'), 'bench/dynamo-server.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`dynalite did not start within ${STARTUP_TIMEOUT_MS / 1000} s: ${stderr}`)), STARTUP_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      resolve((JSON.parse(stdout.slice(0, newline)) as { endpoint: string }).endpoint);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dynalite exited with code ${code}: ${stderr}`));
    });
  });

  // The SDK warns once per process on Node 20; the benchmark's own set-up client needs no such noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(createSwitchTableRequest(tableName)));
    await putSwitch(client, tableName, ACTIVE_SWITCH, { [A.suspended]: { BOOL: false } });
    await putSwitch(client, tableName, SUSPENDED_SWITCH, {
      [A.suspended]: { BOOL: true },
      [A.reason]: { S: 'planned maintenance' },
      [A.until]: { S: new Date(Date.now() + 3_600_000).toISOString() },
    });
  } finally {
    client.destroy();
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    tableName,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
      return stopped;
    },
  };
}

function putSwitch(client: DynamoDBClient, tableName: string, name: string, attributes: Record<string, AttributeValue>): Promise<unknown> {
  return client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        [SWITCH_KEY.name]: { S: name },
        ...attributes,
        [A.updatedAt]: { S: new Date().toISOString() },
        [A.updatedBy]: { S: 'benchmark' },
        [A.version]: { N: '1' },
      },
    }),
  );
}
