import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENV } from '../functions/switch/schema';
import { BOOTSTRAP_FILE } from './execution-environment';
import type { FunctionDefinition } from './function-definition';
import { lambdaEnvironment, lambdaNode, majorOf, type LambdaNode, type Override, unpackFunctionZip } from './lambda-runner';
import { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from './local-dynamo';
import { LocalFunction } from './local-function';
import { synthesizeFunction } from './synthesized-function';
import { startXrayDaemonStub, type XrayDaemonStub } from './xray-daemon-stub';

export interface SandboxOptions {
  /** Replaces the stack's SUSPENSE_CACHE_TTL_SECONDS (shown on screen). @default the stack's value */
  readonly cacheTtlSeconds?: number;
  /** Progress lines, written as the sandbox starts. @default none */
  readonly progress?: (line: string) => void;
  /** The environment the app is synthesized with, as `cdktf synth` would see it. @default process.env */
  readonly synthEnv?: NodeJS.ProcessEnv;
}

export interface Sandbox {
  readonly definition: FunctionDefinition;
  readonly fn: LocalFunction;
  /** The alarm trip function, run like the check function, when the stack declares trips. */
  readonly trip?: { readonly definition: FunctionDefinition; readonly fn: LocalFunction };
  readonly dynamo: LocalDynamo;
  readonly xray: XrayDaemonStub;
  /** The Node.js the function runs on: Lambda's major from the cache (npm run fetch-node) when there. */
  readonly node: LambdaNode;
  readonly tableName: string;
  /** Variables set differently from Lambda, each with its reason. */
  readonly overrides: readonly Override[];
  /** The function's cache TTL in effect, in seconds. */
  readonly cacheTtlSeconds: number;
  /** The temporary folder holding the synth output and the unpacked package; removed by stop(). */
  readonly workDir: string;
  readonly taskRoot: string;
  readonly packageFiles: ReadonlyArray<{ name: string; bytes: number }>;
  readonly packageBytes: number;
  readonly synthMs: number;
  /**
   * Stops everything the sandbox started (servers registered with onStop, execution environments, DynamoDB) and
   * removes its files; safe to call more than once.
   */
  stop(): Promise<void>;
  /** Registers something to stop with the sandbox, before the sandbox's own parts. */
  onStop(stop: () => Promise<void>): void;
}

/**
 * Starts the system on this machine: an in-memory DynamoDB with the switch table, and the check function built
 * by the same synth as a deploy, unpacked alone into a temporary folder and run by a local Lambda runtime with
 * the stack's settings. Anything started before a failure is stopped again before the error propagates.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const progress = options.progress ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-sandbox-'));
  stops.push(async () => fs.rmSync(workDir, { recursive: true, force: true }));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Last started, first stopped; one failure must not leave the rest running.
      for (const step of stops.splice(0).reverse()) await step().catch(() => undefined);
    })();
    return stopping;
  };

  try {
    progress('synthesizing the app as `cdktf synth` does (cdktf.json app, main.ts -> stacks/; unset account and bucket variables are placeholders: SUSPENSE_ALLOW_PLACEHOLDERS=local-sandbox) ...');
    const dynamoStarting = startDynamo();
    const xrayStarting = startXrayDaemonStub();
    // Registered before anything is awaited: whichever part fails, the others are stopped once they have started.
    for (const starting of [dynamoStarting, xrayStarting]) {
      // Handled here, so that one failing while the synth runs is not an unhandled rejection.
      starting.catch(() => undefined);
      stops.push(async () => (await starting.catch(() => undefined))?.stop());
    }
    const synthesized = await synthesizeFunction(path.join(workDir, 'synth'), 'local-sandbox', options.synthEnv ?? process.env);
    const [dynamo, xray] = await Promise.all([dynamoStarting, xrayStarting]);
    const { definition } = synthesized;

    const taskRoot = path.join(workDir, 'task');
    const zip = fs.readFileSync(definition.zipFile);
    const packageFiles = unpackFunctionZip(zip, taskRoot);
    const node = lambdaNode(definition.runtime);
    progress(`the function runs on Node ${node.version}, from ${node.source}`);

    const tableName = definition.environment[ENV.table];
    if (!tableName) throw new Error(`the stack sets no ${ENV.table} for ${definition.functionName}`);
    await dynamo.createSwitchTable(tableName);

    const stackTtl = Number(definition.environment[ENV.cacheTtlSeconds]);
    const overrides = sandboxOverrides(definition, dynamo.endpoint, options.cacheTtlSeconds, node);
    const environment = lambdaEnvironment({
      definition,
      taskRoot,
      runtimeDir: path.dirname(BOOTSTRAP_FILE),
      xrayDaemonAddress: xray.address,
      overrides,
      nodeBinary: node.binary,
    });
    const fn = new LocalFunction({ definition, taskRoot, environment, runtime: { nodeBinary: node.binary } });
    stops.push(() => fn.stop());
    const trip = synthesized.tripDefinition && startTripFunction(synthesized.tripDefinition, workDir, dynamo.endpoint, xray.address, node);
    if (trip) stops.push(() => trip.fn.stop());

    return {
      definition,
      fn,
      ...(trip ? { trip } : {}),
      dynamo,
      xray,
      node,
      tableName,
      overrides,
      cacheTtlSeconds: options.cacheTtlSeconds ?? stackTtl,
      workDir,
      taskRoot,
      packageFiles,
      packageBytes: zip.length,
      synthMs: synthesized.synthMs,
      stop,
      onStop: (step) => stops.push(step),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The trip function, unpacked alone into a folder of its own and run with the same overrides (no TTL: it has no cache). */
function startTripFunction(definition: FunctionDefinition, workDir: string, dynamoEndpoint: string, xrayDaemonAddress: string, node: LambdaNode): NonNullable<Sandbox['trip']> {
  const taskRoot = path.join(workDir, 'trip-task');
  unpackFunctionZip(fs.readFileSync(definition.zipFile), taskRoot);
  const environment = lambdaEnvironment({
    definition,
    taskRoot,
    runtimeDir: path.dirname(BOOTSTRAP_FILE),
    xrayDaemonAddress,
    overrides: sandboxOverrides(definition, dynamoEndpoint, undefined, node),
    nodeBinary: node.binary,
  });
  return { definition, fn: new LocalFunction({ definition, taskRoot, environment, runtime: { nodeBinary: node.binary } }) };
}

/** What the sandbox sets differently from Lambda, and why: only endpoints, credentials and (if asked) the TTL. */
function sandboxOverrides(definition: FunctionDefinition, dynamoEndpoint: string, cacheTtlSeconds: number | undefined, node: LambdaNode): Override[] {
  const overrides: Override[] = [
    { name: 'AWS_ENDPOINT_URL_DYNAMODB', value: dynamoEndpoint, reason: 'the local DynamoDB instead of the regional endpoint' },
    { name: 'AWS_ACCESS_KEY_ID', value: LOCAL_CREDENTIALS.accessKeyId, reason: "dummy credentials instead of the execution role's" },
    { name: 'AWS_SECRET_ACCESS_KEY', value: LOCAL_CREDENTIALS.secretAccessKey, reason: "dummy credentials instead of the execution role's" },
    { name: 'AWS_SESSION_TOKEN', value: 'local', reason: "dummy credentials instead of the execution role's" },
  ];
  if (cacheTtlSeconds !== undefined) {
    overrides.push({
      name: ENV.cacheTtlSeconds,
      value: String(cacheTtlSeconds),
      reason: `the stack sets ${definition.environment[ENV.cacheTtlSeconds] ?? 'no value'}; shortened so that changes show within seconds`,
    });
  }
  const runtimeMajor = Number(/^nodejs(\d+)/.exec(definition.runtime)?.[1]);
  const localMajor = majorOf(node.version);
  if (Number.isFinite(runtimeMajor) && localMajor < runtimeMajor) {
    overrides.push({
      name: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      value: 'true',
      reason: `Lambda runs Node ${runtimeMajor}; this machine's Node ${localMajor} would make the SDK log a warning Lambda never shows`,
    });
  }
  return overrides;
}
