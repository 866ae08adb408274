/**
 * The check's uncached read with and without a history on the item: `SwitchStore.readSwitch` with the cache off
 * (one GetItem per read), against the benchmark's own dynalite process, in interleaved rounds so that the
 * machine's load falls on every case alike.
 *
 *   node tools/run-ts.js bench/history-read.ts [--baseline <dir>] [--reads <n>] [--rounds <n>]
 *
 * --baseline names another checkout's `functions/` folder (say `git archive main functions | tar -x -C /tmp/main`)
 * whose SwitchStore is measured beside this one's: "before" and "after" a change, in one process and one run.
 */
import * as path from 'node:path';
import { PutItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { MAX_HISTORY_ENTRIES, MAX_REASON_LENGTH, SWITCH_KEY } from '../functions/switch/schema';
import { storedEntry } from '../functions/switch/switch-history';
import { MAX_OPERATOR_LENGTH } from '../functions/switch/switch-input';
import { SwitchStore } from '../functions/switch/switch-store';
import { createDynamoClient } from '../functions/switch/dynamo-client';
import { LOCAL_CREDENTIALS } from '../sandbox/local-dynamo';
import { startBenchTable } from './bench-table';
import { percentile } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Options {
  readonly baseline?: string;
  readonly reads: number;
  readonly rounds: number;
}

function parseOptions(args: readonly string[]): Options {
  let options: Options = { reads: 400, rounds: 6 };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--baseline' && value) options = { ...options, baseline: path.resolve(value) };
    else if (flag === '--reads' && Number(value) > 0) options = { ...options, reads: Number(value) };
    else if (flag === '--rounds' && Number(value) > 0) options = { ...options, rounds: Number(value) };
    else throw new Error(`usage: bench/history-read.ts [--baseline <functions dir>] [--reads <n>] [--rounds <n>]; got ${flag}`);
    i++;
  }
  return options;
}

/** An item as the library writes it, with `entries` history entries whose reasons and authors are `reason`/`by`. */
function itemWithHistory(name: string, entries: number, reason: string, by: string): Record<string, AttributeValue> {
  const at = '2030-01-01T00:00:00.000Z';
  const history = Array.from({ length: entries }, (_, i) => storedEntry({ version: i + 1, replacedVersion: i, suspended: i % 2 === 0, reason, at, by }));
  return {
    [SWITCH_KEY.name]: { S: name },
    ...marshall({ suspended: false, reason, updatedAt: at, updatedBy: by, version: entries || 1 }),
    ...(entries > 0 ? { history: marshall({ history }).history! } : {}),
  };
}

interface Case {
  readonly label: string;
  readonly store: { readSwitch(name: string): Promise<unknown> };
  readonly switchName: string;
  readonly samplesUs: number[];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const table = await startBenchTable('history-read');
  try {
    const setup = new DynamoDBClient({ endpoint: table.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    const typicalReason = 'INC-1234: elevated 5xx on checkout after the 14:05 deploy, rolling back';
    const items = {
      plain: itemWithHistory('plain', 0, typicalReason, 'alice@ops-laptop'),
      typical: itemWithHistory('typical', MAX_HISTORY_ENTRIES, typicalReason, 'alice@ops-laptop'),
      maximal: itemWithHistory('maximal', MAX_HISTORY_ENTRIES, '\u{1F6A8}'.repeat(MAX_REASON_LENGTH), '\u{1F9D1}'.repeat(MAX_OPERATOR_LENGTH)),
    };
    for (const item of Object.values(items)) await setup.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
    setup.destroy();

    const sdk = { endpoint: table.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
    const settings = { cacheTtlSeconds: 0, maxStaleSeconds: 0, requestTimeoutMs: 2000, maxAttempts: 1 };
    const current = new SwitchStore({ tableName: table.tableName, settings, client: createDynamoClient({ ...settings, sdk }), log: () => undefined });
    const cases: Case[] = [];
    if (options.baseline) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const before = require(path.join(options.baseline, 'switch/switch-store.ts')) as typeof import('../functions/switch/switch-store');
      const store = new before.SwitchStore({ tableName: table.tableName, settings, client: createDynamoClient({ ...settings, sdk }), log: () => undefined });
      cases.push({ label: 'baseline, item without history', store, switchName: 'plain', samplesUs: [] });
      cases.push({ label: `baseline, ${MAX_HISTORY_ENTRIES} maximal entries`, store, switchName: 'maximal', samplesUs: [] });
    }
    cases.push({ label: 'this checkout, item without history', store: current, switchName: 'plain', samplesUs: [] });
    cases.push({ label: `this checkout, ${MAX_HISTORY_ENTRIES} typical entries`, store: current, switchName: 'typical', samplesUs: [] });
    cases.push({ label: `this checkout, ${MAX_HISTORY_ENTRIES} maximal entries`, store: current, switchName: 'maximal', samplesUs: [] });

    for (const c of cases) for (let i = 0; i < 100; i++) await c.store.readSwitch(c.switchName);
    const perRound = Math.ceil(options.reads / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      for (const c of cases) {
        for (let i = 0; i < perRound; i++) {
          const start = process.hrtime.bigint();
          await c.store.readSwitch(c.switchName);
          c.samplesUs.push(Number(process.hrtime.bigint() - start) / 1000);
        }
      }
    }
    const reference = percentile(cases[0]!.samplesUs, 0.5);
    process.stdout.write(`uncached readSwitch p50 (${perRound * options.rounds} reads each, ${options.rounds} interleaved rounds)\n`);
    for (const c of cases) {
      const p50 = percentile(c.samplesUs, 0.5);
      process.stdout.write(`  ${c.label.padEnd(42)} ${p50.toFixed(0).padStart(6)} us  (${(p50 / reference).toFixed(2)}x)\n`);
    }
  } finally {
    await table.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
