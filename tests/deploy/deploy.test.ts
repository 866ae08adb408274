import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, S3Client, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { environments } from '../../stacks/environments';
import { STATE_KMS_KEY_ALIAS } from '../../stacks/state-backend';
import { baseEnv, runCli, type CliResult } from '../cli/cli-harness';
import { motoAvailability, MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, startMoto, type MotoServer } from '../support/moto-server';
import { synthesize, type Synthesized } from '../support/synth';
import { runTerraform, terraformAvailability, terraformEnv, terraformOk, writeMirrorCliConfig, type TerraformRun } from '../support/terraform';
import { pointStackAtMoto } from './emulator-overrides';

// What moto cannot do is stated here rather than hidden; the README's "Deploying" says the same:
// - Invoke: moto runs a function's code in Docker, which this machine lacks. The shipped zip is run by
//   tests/runtime/artifact.test.ts and by the sandbox instead.
// - The state bucket's TLS-only policy: moto applies its Deny to every request, TLS or not (emulator gap
//   s3-tls-only-policy in ./emulator-overrides.ts). The statement itself is asserted by the synth and plan tests.
const terraform = terraformAvailability();
const moto = motoAvailability();
const unavailable = [terraform, moto].filter((tool) => !tool.available).map((tool) => tool.reason);
if (unavailable.length > 0) {
  if (process.env.CI === 'true') throw new Error(`the deploy test against moto is required in CI, but ${unavailable.join('; ')}`);
  console.warn(`Skipping the deploy test against moto: ${unavailable.join('; ')}.`);
}
const describeDeployed = unavailable.length === 0 ? describe : describe.skip;

const REGION = 'eu-west-1';
const STATE_BUCKET = 'suspense-deploy-test-state';
/** Real values, no placeholders: every account is moto's, so each provider's account guard stays on. */
const DEPLOY_ENV = {
  SUSPENSE_STATE_BUCKET: STATE_BUCKET,
  SUSPENSE_STATE_ACCOUNT_ID: MOTO_ACCOUNT_ID,
  SUSPENSE_STATE_REGION: REGION,
  SUSPENSE_DEV_ACCOUNT_ID: MOTO_ACCOUNT_ID,
  SUSPENSE_PROD_ACCOUNT_ID: MOTO_ACCOUNT_ID,
  SUSPENSE_ALLOW_PLACEHOLDERS: undefined,
};
const ENVIRONMENT_STACKS = ['suspense-dev', 'suspense-prod'] as const;
const STACKS = ['suspense-state', ...ENVIRONMENT_STACKS] as const;
/** What the environment stacks need from the state stack before they can keep state in its bucket. */
const STATE_PREREQUISITES = ['aws_s3_bucket.bucket', 'aws_s3_bucket_policy.tls-only', 'aws_kms_alias.key-alias'];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Top-level `name = value` lines of `terraform state show`, values as printed (strings keep their quotes). */
function stateShowValues(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^ {4}(\w+)\s+= (.+)$/gm)].map((match) => [match[1], match[2]]));
}

type Stack = (typeof STACKS)[number];
type EnvironmentStack = (typeof ENVIRONMENT_STACKS)[number];
type Item = Record<string, AttributeValue> | undefined;

/** A state object as stored in the bucket: its version (the bucket keeps versions) and its parsed content. */
interface StateObject {
  readonly versionId?: string;
  readonly state: { serial: number; lineage: string; resources: Array<{ mode: string; type: string; name: string }> };
}

describeDeployed('deployed against moto: apply, re-plan, inspect, destroy', () => {
  let server: MotoServer;
  let projectRoot: string;
  let synth: Synthesized;
  let cliConfig: string;
  let env: NodeJS.ProcessEnv;
  let s3: S3Client;
  let dynamo: DynamoDBClient;
  let started: number;
  // Each test awaits the work it asserts, started in beforeAll as soon as that work's prerequisites are done (the
  // state stack's lifecycle wait holds up only its own re-plan); destroying dev waits for everything that reads dev.
  let stateApplied: Promise<TerraformRun>;
  /** A second apply of suspense-dev started while the first held the state lock, and the lock it met. */
  let blocked: { run: TerraformRun; lock: { ID: string; Who: string } };
  /** Whether dev's lock file was still in the bucket once dev's apply had ended. */
  let lockLeft: Promise<boolean>;
  let stateObjectHeads: Record<EnvironmentStack, Promise<HeadObjectCommandOutput>>;
  let inspected: Record<EnvironmentStack, Promise<{ outputs: TerraformRun; fn: TerraformRun; table: DescribeTableCommandOutput }>>;
  let cliRoundTrip: Promise<{ suspended: CliResult; afterSuspend: Item; status: CliResult; list: CliResult; resumed: CliResult; afterResume: Item }>;
  let replanned: Record<Stack, Promise<TerraformRun>>;
  let prodDestroyRefused: Promise<{ before: StateObject; destroy: TerraformRun; after: StateObject }>;
  let devDestroyed: Promise<{ destroy: TerraformRun; after: StateObject }>;
  const inFlight: Promise<unknown>[] = [];
  /** Starts `work` now; a failure is reported by the test that awaits it, not as an unhandled rejection before. */
  const begin = <T>(work: () => Promise<T>): Promise<T> => {
    const promise = work();
    promise.catch(() => undefined);
    inFlight.push(promise);
    return promise;
  };
  const gaps: Record<string, string[]> = {};
  const timings: string[] = [];
  const configs = Object.fromEntries(environments(DEPLOY_ENV).map((config) => [`suspense-${config.environment}`, config]));

  const tf = (stack: string, args: string[]) => terraformOk(args, { cwd: synth.stackDir(stack), env });
  /** Records when a step ended (from moto's start) and how long it took. */
  const timed = <T extends { ms: number }>(label: string, run: T): T => {
    timings.push(`${seconds(Date.now() - started).padStart(7)}  ${label} (${seconds(run.ms)})`);
    return run;
  };
  /** The address of a stack's only resource of `type`, as synthesized. */
  const address = (stack: string, type: string) => `${type}.${Object.keys(synth.stack(stack).resource[type] ?? {})[0]}`;
  /** The check function's address (dev also has the trip function). */
  const checkFunctionAddress = (stack: string) =>
    `aws_lambda_function.${Object.entries(synth.stack(stack).resource.aws_lambda_function ?? {}).find(([, fn]) => fn.function_name === configs[stack]!.functionName)?.[0]}`;
  /** Where the stack's S3 backend keeps its state, as synthesized. */
  const stateKey = (stack: EnvironmentStack) => synth.stack(stack).terraform.backend.s3.key as string;
  const readStateObject = async (stack: EnvironmentStack): Promise<StateObject> => {
    const object = await s3.send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: stateKey(stack) }));
    return { versionId: object.VersionId, state: JSON.parse(await object.Body!.transformToString()) as StateObject['state'] };
  };
  // Refreshed (the default): each reads every resource back from moto and compares it with the config.
  const replan = (stack: Stack) => runTerraform(['plan', '-input=false', '-no-color', '-detailed-exitcode', '-lock=false'], { cwd: synth.stackDir(stack), env });

  beforeAll(async () => {
    started = Date.now();
    server = await startMoto();
    const aws = { region: REGION, endpoint: server.endpoint, credentials: MOTO_CREDENTIALS };
    s3 = new S3Client({ ...aws, forcePathStyle: true });
    dynamo = new DynamoDBClient(aws);
    // A project of its own (cdktf.json and its output folder), so that the CLI finds the stacks as in a checkout.
    projectRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-deploy-'));
    fs.writeFileSync(path.join(projectRoot, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'false', output: 'cdktf.out' }));
    synth = synthesize(DEPLOY_ENV, path.join(projectRoot, 'cdktf.out'));
    for (const stack of STACKS) gaps[stack] = pointStackAtMoto(synth.stackDir(stack), server.endpoint).map((gap) => gap.name);
    cliConfig = writeMirrorCliConfig(path.join(projectRoot, 'mirror.tfrc'), terraform.mirror!);
    env = terraformEnv(cliConfig, { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey });

    await tf('suspense-state', ['init', '-input=false', '-no-color']);
    // The provider waits 30-60 s for a new lifecycle rule to read back consistently (3 equal reads, 10 s apart); the
    // environment stacks need only the bucket (to init their backends), its policy and the key's alias (to apply), so
    // each step starts as soon as Terraform reports what it needs created.
    const created = new Set<string>();
    const waiting: Array<() => void> = [];
    const stateApply = terraformOk(['apply', '-auto-approve', '-input=false', '-json'], {
      cwd: synth.stackDir('suspense-state'),
      env,
      onLine: (line) => {
        const event = (() => {
          try {
            return JSON.parse(line) as { type?: string; hook?: { resource?: { addr?: string } } };
          } catch {
            return {};
          }
        })();
        if (event.type !== 'apply_complete' || !event.hook?.resource?.addr) return;
        created.add(event.hook.resource.addr);
        for (const check of waiting) check();
      },
    });
    stateApplied = begin(async () => timed('apply suspense-state', await stateApply));
    const stateApplyEnded = stateApply.then(
      () => undefined,
      () => undefined,
    );
    const stateCreated = async (addresses: readonly string[]): Promise<void> => {
      const allCreated = new Promise<void>((resolve) => {
        const check = () => addresses.every((a) => created.has(a)) && resolve();
        waiting.push(check);
        check();
      });
      await Promise.race([allCreated, stateApplyEnded]);
      const missing = addresses.filter((a) => !created.has(a));
      if (missing.length > 0) throw new Error(`the state stack's apply ended without creating ${missing.join(', ')}: ${await stateApply.then(() => 'no error', String)}`);
    };
    stateCreated(STATE_PREREQUISITES).then(
      () => timings.push(`${seconds(Date.now() - started).padStart(7)}  state bucket, its policy and the key's alias created`),
      () => undefined,
    );
    const applied = Object.fromEntries(
      ENVIRONMENT_STACKS.map((stack) => [
        stack,
        begin(async () => {
          await stateCreated(['aws_s3_bucket.bucket']);
          await tf(stack, ['init', '-input=false', '-no-color']);
          await stateCreated(STATE_PREREQUISITES);
          return timed(`apply ${stack}`, await tf(stack, ['apply', '-auto-approve', '-input=false', '-no-color']));
        }),
      ]),
    ) as Record<EnvironmentStack, Promise<TerraformRun>>;
    const devApplied = applied['suspense-dev'];
    const prodApplied = applied['suspense-prod'];

    // Read as soon as dev's apply ends, before anything else could take the lock (only dev's destroy does).
    const devLock = `${stateKey('suspense-dev')}.tflock`;
    lockLeft = begin(async () => {
      await devApplied;
      return s3.send(new HeadObjectCommand({ Bucket: STATE_BUCKET, Key: devLock })).then(
        () => true,
        () => false,
      );
    });
    // Each state object as its apply left it (dev's destroy writes it again).
    stateObjectHeads = Object.fromEntries(
      ENVIRONMENT_STACKS.map((stack) => [stack, begin(async () => (await applied[stack], s3.send(new HeadObjectCommand({ Bucket: STATE_BUCKET, Key: stateKey(stack) }))))]),
    ) as typeof stateObjectHeads;
    inspected = Object.fromEntries(
      ENVIRONMENT_STACKS.map((stack) => [
        stack,
        begin(async () => {
          await applied[stack];
          const [outputs, fn, table] = await Promise.all([
            tf(stack, ['output', '-json']),
            tf(stack, ['state', 'show', '-no-color', checkFunctionAddress(stack)]),
            dynamo.send(new DescribeTableCommand({ TableName: configs[stack]!.tableName })),
          ]);
          return { outputs, fn, table };
        }),
      ]),
    ) as typeof inspected;
    cliRoundTrip = begin(async () => {
      await devApplied;
      const cliStarted = Date.now();
      const cli = (args: string[]) =>
        runCli([...args, '--stack', 'suspense-dev', '--json'], {
          cwd: path.join(projectRoot, 'cdktf.out', 'stacks'),
          // No AWS_REGION: the region comes from the stack's ARN outputs.
          env: { ...baseEnv(server.endpoint), AWS_REGION: undefined, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1' },
          killAfterMs: 90_000,
        });
      // A second client, not the CLI's, reads each change back.
      const readBack = async () =>
        (await dynamo.send(new GetItemCommand({ TableName: configs['suspense-dev']!.tableName, Key: { switch: { S: 'global' } }, ConsistentRead: true }))).Item;
      const suspended = await cli(['suspend', 'global', '--reason', 'deploy test']);
      const afterSuspend = await readBack();
      const status = await cli(['status', 'global']);
      const list = await cli(['list']);
      const resumed = await cli(['resume', 'global']);
      const afterResume = await readBack();
      return timed('CLI round trip', { suspended, afterSuspend, status, list, resumed, afterResume, ms: Date.now() - cliStarted });
    });
    replanned = {
      'suspense-state': begin(async () => (await stateApplied, timed('re-plan suspense-state', await replan('suspense-state')))),
      'suspense-dev': begin(async () => (await devApplied, timed('re-plan suspense-dev', await replan('suspense-dev')))),
      'suspense-prod': begin(async () => (await prodApplied, timed('re-plan suspense-prod', await replan('suspense-prod')))),
    };
    prodDestroyRefused = begin(async () => {
      await replanned['suspense-prod'];
      const before = await readStateObject('suspense-prod');
      // Without a refresh: prevent_destroy is decided from the configuration, before anything is read or deleted.
      const destroy = timed('destroy suspense-prod (refused)', await runTerraform(['destroy', '-auto-approve', '-input=false', '-no-color', '-refresh=false'], { cwd: synth.stackDir('suspense-prod'), env }));
      return { before, destroy, after: await readStateObject('suspense-prod') };
    });
    devDestroyed = begin(async () => {
      await devApplied;
      await Promise.allSettled([lockLeft, stateObjectHeads['suspense-dev'], inspected['suspense-dev'], cliRoundTrip, replanned['suspense-dev']]);
      // No refresh: dev's re-plan just read every resource back and found them as the state says.
      const destroy = timed('destroy suspense-dev', await tf('suspense-dev', ['destroy', '-auto-approve', '-input=false', '-no-color', '-refresh=false']));
      return { destroy, after: await readStateObject('suspense-dev') };
    });

    // While dev's apply holds its state lock (the lock file in the bucket), another operator's apply starts.
    let lock: { ID: string; Who: string } | undefined;
    let devApplyEnded = false;
    const ended = () => (devApplyEnded = true);
    devApplied.then(ended, ended);
    while (!lock && !devApplyEnded) {
      lock = await s3
        .send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: devLock }))
        .then(async (object) => JSON.parse(await object.Body!.transformToString()) as { ID: string; Who: string })
        .catch(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200)));
    }
    if (!lock) {
      await devApplied;
      throw new Error(`no lock file ${devLock} appeared while suspense-dev was applied`);
    }
    blocked = { run: await runTerraform(['apply', '-auto-approve', '-input=false', '-no-color', '-lock-timeout=0s'], { cwd: synth.stackDir('suspense-dev'), env }), lock };
    // A failed apply fails every test, as itself.
    await Promise.all([devApplied, prodApplied]);
  }, 600_000);

  afterAll(async () => {
    // Nothing may still be running against moto when it stops.
    await Promise.allSettled(inFlight);
    s3?.destroy();
    dynamo?.destroy();
    await server?.stop();
    synth?.cleanup();
    if (projectRoot) fs.rmSync(projectRoot, { recursive: true, force: true });
    if (timings.length > 0) console.log(`deploy test against moto (seconds from moto's start, step's own time)\n  ${timings.join('\n  ')}`);
  });

  it('refuses a second apply while another holds the state lock, naming the holder, and releases the lock after', async () => {
    expect(blocked.run.code).toBe(1);
    expect(blocked.run.stderr).toContain('Error acquiring the state lock');
    expect(blocked.run.stderr).toMatch(new RegExp(`ID:\\s+${blocked.lock.ID}`));
    expect(blocked.run.stderr).toMatch(new RegExp(`Who:\\s+${blocked.lock.Who.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
    expect(await lockLeft).toBe(false);
  });

  it.each(ENVIRONMENT_STACKS)('%s: outputs, state show and the table as read back say what the config says', async (stack) => {
    const config = configs[stack]!;
    const { outputs, fn, table } = await inspected[stack];
    const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${MOTO_ACCOUNT_ID}:${resource}`;
    expect(Object.fromEntries(Object.entries(JSON.parse(outputs.stdout) as Record<string, { value: string }>).map(([name, output]) => [name, output.value]))).toEqual({
      table_name: config.tableName,
      table_arn: arn('dynamodb', `table/${config.tableName}`),
      function_name: config.functionName,
      function_arn: arn('lambda', `function:${config.functionName}`),
      role_arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${config.functionName}`,
      log_group_name: `/aws/lambda/${config.functionName}`,
      ...(config.trips.length > 0 ? { trip_function_name: config.tripFunctionName } : {}),
    });
    expect(stateShowValues(fn.stdout)).toMatchObject({
      function_name: `"${config.functionName}"`,
      runtime: '"nodejs22.x"',
      handler: '"index.handler"',
      memory_size: String(config.memorySize),
      timeout: String(config.timeoutSeconds),
      reserved_concurrent_executions: String(config.reservedConcurrentExecutions),
      role: `"arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${config.functionName}"`,
    });
    expect(table.Table).toMatchObject({
      TableName: config.tableName,
      KeySchema: [{ AttributeName: 'switch', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: config.billing.mode },
      DeletionProtectionEnabled: config.deletionProtection,
    });
  }, 300_000);

  it('serves the CLI\'s --stack from any folder of the project: suspend, status, list, resume, read back by a second client', async () => {
    const { suspended, afterSuspend, status, list, resumed, afterResume } = await cliRoundTrip;
    expect(suspended).toMatchObject({ code: 0 });
    expect(JSON.parse(suspended.stdout)).toMatchObject({ switch: 'global', state: 'suspended', version: 1 });
    expect(afterSuspend).toMatchObject({ suspended: { BOOL: true }, reason: { S: 'deploy test' }, version: { N: '1' } });
    expect(JSON.parse(status.stdout)).toMatchObject({ switch: 'global', suspended: true, reason: 'deploy test' });
    expect(JSON.stringify(JSON.parse(list.stdout))).toContain('"global"');
    expect(resumed).toMatchObject({ code: 0 });
    expect(afterResume).toMatchObject({ suspended: { BOOL: false }, version: { N: '2' } });
  }, 300_000);

  it('keeps each environment\'s state in the state bucket, SSE-KMS with the state stack\'s key, read back from S3', async () => {
    await stateApplied;
    const keyArn = JSON.parse((await tf('suspense-state', ['output', '-json'])).stdout).state_kms_key_arn.value as string;
    const aliasArn = `arn:aws:kms:${REGION}:${MOTO_ACCOUNT_ID}:${STATE_KMS_KEY_ALIAS}`;
    for (const stack of ENVIRONMENT_STACKS) {
      const head = await stateObjectHeads[stack];
      expect(head.ServerSideEncryption).toBe('aws:kms');
      // AWS answers with the key's ARN; moto echoes what the backend sent, the alias's ARN. Either names this key.
      expect([aliasArn, keyArn]).toContain(head.SSEKMSKeyId);
      timings.push(`state object ${stack}: ServerSideEncryption=${head.ServerSideEncryption} SSEKMSKeyId=${head.SSEKMSKeyId} BucketKeyEnabled=${head.BucketKeyEnabled}`);
    }
  }, 300_000);

  it('re-plans every stack with no changes, emulator gaps excluded one attribute at a time', async () => {
    expect(gaps).toEqual({
      'suspense-state': ['s3-tls-only-policy'],
      'suspense-dev': ['lambda-logging-config'],
      'suspense-prod': ['lambda-logging-config'],
    });
    for (const stack of STACKS) {
      const plan = await replanned[stack];
      expect({ stack, code: plan.code, changes: plan.code === 0 ? '' : plan.stdout + plan.stderr }).toEqual({ stack, code: 0, changes: '' });
      expect(plan.stdout).toContain('No changes.');
    }
  }, 300_000);

  it('refuses to destroy prod twice over: Terraform\'s prevent_destroy, then DynamoDB\'s deletion protection', async () => {
    const { before, destroy, after } = await prodDestroyRefused;
    expect(destroy.code).toBe(1);
    expect(destroy.stderr).toContain('Instance cannot be destroyed');
    expect(destroy.stderr).toContain(address('suspense-prod', 'aws_dynamodb_table'));
    // The state object was not written at all: the same version, with every resource still in it.
    expect(after).toEqual(before);
    expect(before.state.resources.filter((resource) => resource.mode === 'managed').map(({ type, name }) => `${type}.${name}`)).toContain(address('suspense-prod', 'aws_dynamodb_table'));

    // Past Terraform (the console, another tool), the table itself refuses.
    const tableName = configs['suspense-prod']!.tableName;
    await expect(dynamo.send(new DeleteTableCommand({ TableName: tableName }))).rejects.toThrow(/deletion ?protection/i);
    expect((await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus).toBe('ACTIVE');
  }, 300_000);

  it('destroys dev completely', async () => {
    const { destroy, after } = await devDestroyed;
    // The check function's 7 resources and the trip's 9 (function, role, log group, 3 policies, rule, target, permission).
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 16 destroyed\./);
    // What `terraform state list` reads: nothing is left in dev's state.
    expect(after.state.resources).toEqual([]);
    const config = configs['suspense-dev']!;
    await expect(dynamo.send(new DescribeTableCommand({ TableName: config.tableName }))).rejects.toThrow(/not found/i);
    const lambda = new LambdaClient({ region: REGION, endpoint: server.endpoint, credentials: MOTO_CREDENTIALS });
    try {
      await expect(lambda.send(new GetFunctionCommand({ FunctionName: config.functionName }))).rejects.toThrow();
    } finally {
      lambda.destroy();
    }
  }, 300_000);
});
