/** Runs the real `suspense` CLI (bin/suspense.js) in child processes, and snapshots tables for comparisons. */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LOCAL_CREDENTIALS } from '../support/dynalite';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(PROJECT_ROOT, 'bin', 'suspense.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface CliRunOptions {
  /** Added to (or, when undefined, removed from) the hermetic base environment. */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Kill the child after this long: a hung CLI fails the test instead of the suite. @default 20000 */
  readonly killAfterMs?: number;
}

/**
 * A hermetic environment: dummy credentials and region, no shared AWS config, no SUSPENSE_TABLE, nothing
 * inherited from the developer's shell but PATH.
 */
export function baseEnv(dynamoEndpoint?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_CONFIG_FILE: path.join(PROJECT_ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(PROJECT_ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    USER: 'tester',
    ...(dynamoEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint } : {}),
  };
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = { ...baseEnv() };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs `tasks` with at most `limit` in flight: child processes beyond the core count only queue up. */
export async function inBatches<T>(tasks: readonly (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Every item of a table exactly as stored (wire types included), sorted by key, for before/after comparisons. */
export async function tableSnapshot(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => String(a.switch?.S).localeCompare(String(b.switch?.S)));
}
