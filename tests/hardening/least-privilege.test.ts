/**
 * Least privilege, proven with an IAM policy simulator (@cloud-copilot/iam-simulate) on the policies the stacks
 * synthesize: what each role and the state bucket allow is evaluated request by request, as AWS would.
 */
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { environments } from '../../stacks/environments';
import { NodejsFunction } from '../../stacks/constructs/nodejs-function';
import { SwitchTable } from '../../stacks/constructs/switch-table';
import { synthesize, synthTestStack, type StackJson, type Synthesized } from '../support/synth';

/** The accounts the environments are synthesized for. */
const SYNTH_ENV = { SUSPENSE_DEV_ACCOUNT_ID: '111111111111', SUSPENSE_PROD_ACCOUNT_ID: '222222222222', SUSPENSE_STATE_BUCKET: 'suspense-terraform-state' };
const OTHER_ACCOUNT = '999999999999';

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
type PolicyDocument = { Version: string; Statement: Record<string, unknown>[] };

interface Request {
  readonly principal: Simulation['request']['principal'];
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource. */
  readonly accountId: string;
  readonly context?: Record<string, string>;
}

/** What AWS would decide for `request`, given the principal's identity policies and the resource's policy. */
async function decide(
  request: Request,
  policies: { identity?: readonly { name: string; policy: PolicyDocument }[]; resource?: PolicyDocument; blockPublicAccess?: boolean },
): Promise<Decision> {
  const result = await runSimulation(
    {
      request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: request.accountId }, contextVariables: request.context ?? {} },
      identityPolicies: [...(policies.identity ?? [])],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
      ...(policies.blockPublicAccess !== undefined ? { additionalSettings: { s3: { blockPublicAccess: policies.blockPublicAccess } } } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/**
 * Every policy that applies to the role named `roleName` in `json`, as documents. Fails when the role could get
 * permissions the simulation would not see (managed policy attachments, inline blocks on the role) or when a
 * document still holds a Terraform interpolation (then it would not be the policy AWS evaluates).
 */
function rolePolicies(json: Record<string, any>, roleName: string): { name: string; policy: PolicyDocument }[] {
  const roles = Object.entries<Record<string, any>>(json.resource.aws_iam_role ?? {}).filter(([, role]) => role.name === roleName);
  expect(roles).toHaveLength(1);
  const [roleId, role] = roles[0]!;
  expect(role.managed_policy_arns).toBeUndefined();
  expect(role.inline_policy).toBeUndefined();
  expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
  expect(json.resource.aws_iam_policy_attachment).toBeUndefined();
  const attached = Object.values<Record<string, string>>(json.resource.aws_iam_role_policy ?? {}).filter((policy) => policy.role === `\${aws_iam_role.${roleId}.name}`);
  for (const policy of attached) expect(policy.policy).not.toContain('${');
  return attached.map((policy) => ({ name: policy.name!, policy: JSON.parse(policy.policy!) as PolicyDocument }));
}

function trustPolicy(json: Record<string, any>, roleName: string): PolicyDocument {
  const role = Object.values<Record<string, string>>(json.resource.aws_iam_role).find((candidate) => candidate.name === roleName)!;
  return JSON.parse(role.assume_role_policy!) as PolicyDocument;
}

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize(SYNTH_ENV);
});
afterAll(() => synthesized?.cleanup());

describe.each(environments(SYNTH_ENV).map((config) => [`suspense-${config.environment}`, config] as const))('the check function role of %s', (stackName, config) => {
  const account = config.accountId;
  const region = config.region;
  const table = `arn:aws:dynamodb:${region}:${account}:table/${config.tableName}`;
  const logGroup = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${config.functionName}`;
  const ownStream = `${logGroup}:log-stream:2030/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;
  const role = `arn:aws:iam::${account}:role/${config.functionName}`;
  let stack: StackJson;
  let identity: { name: string; policy: PolicyDocument }[];

  beforeAll(() => {
    stack = synthesized.stack(stackName);
    identity = rolePolicies(stack, config.functionName);
  });

  const asTheFunction = (action: string, resource: string, accountId = account): Promise<Decision> =>
    decide({ principal: role, action, resource, accountId }, { identity });

  it.each([
    ['dynamodb:GetItem', 'its own table', table],
    ['xray:PutTraceSegments', 'X-Ray (which has no resource-level permissions)', '*'],
    ['xray:PutTelemetryRecords', 'X-Ray', '*'],
    ['logs:CreateLogStream', 'a stream of its own log group', ownStream],
    ['logs:PutLogEvents', 'a stream of its own log group', ownStream],
  ])('may %s on %s', async (action, _what, resource) => {
    expect(await asTheFunction(action, resource)).toBe('Allowed');
  });

  it.each([
    ['dynamodb:PutItem', 'its own table', table],
    ['dynamodb:UpdateItem', 'its own table', table],
    ['dynamodb:DeleteItem', 'its own table', table],
    ['dynamodb:BatchWriteItem', 'its own table', table],
    ['dynamodb:Scan', 'its own table', table],
    ['dynamodb:Query', 'its own table', table],
    ['dynamodb:BatchGetItem', 'its own table', table],
    ['dynamodb:DescribeTable', 'its own table', table],
    ['dynamodb:DeleteTable', 'its own table', table],
    ['dynamodb:GetItem', 'another table', `arn:aws:dynamodb:${region}:${account}:table/orders`],
    ['dynamodb:GetItem', 'a table named like its own with a suffix', `${table}-copy`],
    ['dynamodb:GetItem', 'its table name in another region', `arn:aws:dynamodb:us-east-1:${account}:table/${config.tableName}`],
    ['logs:PutLogEvents', "another function's log group", `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/orders-api:log-stream:s`],
    ['logs:PutLogEvents', 'a log group whose name starts with its own', `${logGroup}-shadow:log-stream:s`],
    ['logs:CreateLogStream', "another function's log group", `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/orders-api:log-stream:s`],
    ['logs:CreateLogGroup', 'its own log group', logGroup],
    ['logs:DeleteLogGroup', 'its own log group', logGroup],
    ['iam:PutRolePolicy', 'its own role (granting itself more)', role],
    ['iam:PassRole', 'its own role', role],
    ['lambda:UpdateFunctionCode', 'its own function', `arn:aws:lambda:${region}:${account}:function:${config.functionName}`],
    ['s3:GetObject', 'the Terraform state', `arn:aws:s3:::${SYNTH_ENV.SUSPENSE_STATE_BUCKET}/suspense/${stackName}.tfstate`],
  ])('may not %s on %s', async (action, _what, resource) => {
    expect(await asTheFunction(action, resource)).toBe('ImplicitlyDenied');
  });

  it('may not read the other environment\'s table', async () => {
    const other = environments(SYNTH_ENV).find((candidate) => candidate.environment !== config.environment)!;

    expect(await asTheFunction('dynamodb:GetItem', `arn:aws:dynamodb:${other.region}:${other.accountId}:table/${other.tableName}`, other.accountId)).toBe('ImplicitlyDenied');
  });

  it.each([
    ['Allowed', 'the Lambda service', 'lambda.amazonaws.com'],
    ['ImplicitlyDenied', 'another AWS service', 'ec2.amazonaws.com'],
    ['ImplicitlyDenied', 'the account itself', `arn:aws:iam::${account}:root`],
    ['ImplicitlyDenied', 'another account', `arn:aws:iam::${OTHER_ACCOUNT}:root`],
  ])('trust policy: %s to %s (%s)', async (expected, _who, principal) => {
    const trust = trustPolicy(stack, config.functionName);

    expect(await decide({ principal, action: 'sts:AssumeRole', resource: role, accountId: account }, { resource: trust })).toBe(expected);
  });
});

describe('the state bucket (suspense-state)', () => {
  const bucket = `arn:aws:s3:::${SYNTH_ENV.SUSPENSE_STATE_BUCKET}`;
  const stateFile = `${bucket}/suspense/suspense-dev.tfstate`;
  const owner = SYNTH_ENV.SUSPENSE_DEV_ACCOUNT_ID;
  const deployer = `arn:aws:iam::${owner}:role/deployer`;
  /** The deployer's own permissions: everything on S3. Only the bucket policy stands in the way. */
  const allowAllS3 = [{ name: 'deployer', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }];
  let bucketPolicy: PolicyDocument;
  let blockPublicAccess: boolean;

  beforeAll(() => {
    const stack = synthesized.stack('suspense-state');
    const policies = Object.values<Record<string, string>>(stack.resource.aws_s3_bucket_policy);
    expect(policies).toHaveLength(1);
    bucketPolicy = JSON.parse(policies[0]!.policy!) as PolicyDocument;
    // The simulator applies S3 Block Public Access when told to; the stack is what tells it.
    blockPublicAccess = Object.values<Record<string, boolean>>(stack.resource.aws_s3_bucket_public_access_block)[0]!.restrict_public_buckets === true;
  });

  it.each([
    ['s3:GetObject', stateFile],
    ['s3:PutObject', stateFile],
    ['s3:DeleteObject', stateFile],
    ['s3:ListBucket', bucket],
    ['s3:PutBucketPolicy', bucket],
  ])('denies %s over plain HTTP (aws:SecureTransport false) even to the owner account with an allowing identity policy', async (action, resource) => {
    expect(await decide({ principal: deployer, action, resource, accountId: owner, context: { 'aws:SecureTransport': 'false' } }, { identity: allowAllS3, resource: bucketPolicy, blockPublicAccess })).toBe(
      'ExplicitlyDenied',
    );
  });

  it('denies the account root over plain HTTP', async () => {
    expect(
      await decide({ principal: `arn:aws:iam::${owner}:root`, action: 's3:GetObject', resource: stateFile, accountId: owner, context: { 'aws:SecureTransport': 'false' } }, { resource: bucketPolicy, blockPublicAccess }),
    ).toBe('ExplicitlyDenied');
  });

  it.each([
    ['s3:GetObject', stateFile],
    ['s3:PutObject', stateFile],
    ['s3:ListBucket', bucket],
  ])('allows %s over TLS to the owner account when its identity policy does', async (action, resource) => {
    expect(await decide({ principal: deployer, action, resource, accountId: owner, context: { 'aws:SecureTransport': 'true' } }, { identity: allowAllS3, resource: bucketPolicy, blockPublicAccess })).toBe('Allowed');
  });

  it.each([
    ['s3:GetObject', stateFile],
    ['s3:PutObject', stateFile],
    ['s3:ListBucket', bucket],
  ])('denies %s to anonymous (public) requests, over TLS too', async (action, resource) => {
    expect(blockPublicAccess).toBe(true);
    expect(await decide({ principal: anonymousPrincipal, action, resource, accountId: owner, context: { 'aws:SecureTransport': 'true' } }, { resource: bucketPolicy, blockPublicAccess })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('denies another account, whatever its own policies allow', async () => {
    expect(
      await decide(
        { principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/admin`, action: 's3:GetObject', resource: stateFile, accountId: owner, context: { 'aws:SecureTransport': 'true' } },
        { identity: allowAllS3, resource: bucketPolicy, blockPublicAccess },
      ),
    ).toBe('ImplicitlyDenied');
  });
});

describe('the state bucket, for an environment account other than the state account', () => {
  const stateAccount = '333333333333'; // the placeholder state account: SYNTH_ENV leaves SUSPENSE_STATE_ACCOUNT_ID unset
  const bucket = `arn:aws:s3:::${SYNTH_ENV.SUSPENSE_STATE_BUCKET}`;
  const prodDeployer = `arn:aws:iam::${SYNTH_ENV.SUSPENSE_PROD_ACCOUNT_ID}:role/deployer`;
  const allowAllS3 = [{ name: 'deployer', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }];
  let bucketPolicy: PolicyDocument;

  beforeAll(() => {
    const stack = synthesized.stack('suspense-state');
    expect(stack.provider.aws[0].allowed_account_ids).toEqual([stateAccount]);
    bucketPolicy = JSON.parse(Object.values<Record<string, string>>(stack.resource.aws_s3_bucket_policy)[0]!.policy!) as PolicyDocument;
  });

  const asProdDeployer = (action: string, resource: string, principal = prodDeployer) =>
    decide({ principal, action, resource, accountId: stateAccount, context: { 'aws:SecureTransport': 'true' } }, { identity: allowAllS3, resource: bucketPolicy, blockPublicAccess: true });

  it.each([
    ['s3:ListBucket', bucket],
    ['s3:GetObject', `${bucket}/suspense/suspense-prod.tfstate`],
    ['s3:PutObject', `${bucket}/suspense/suspense-prod.tfstate`],
    ['s3:DeleteObject', `${bucket}/suspense/suspense-prod.tfstate.tflock`],
  ])('allows %s on %s over TLS, what the S3 backend does', async (action, resource) => {
    expect(await asProdDeployer(action, resource)).toBe('Allowed');
  });

  it.each([
    ['s3:GetObject', `${bucket}/elsewhere/other.tfstate`],
    ['s3:PutBucketPolicy', bucket],
    ['s3:DeleteBucket', bucket],
    ['s3:PutObjectAcl', `${bucket}/suspense/suspense-prod.tfstate`],
  ])('denies %s on %s', async (action, resource) => {
    expect(await asProdDeployer(action, resource)).toBe('ImplicitlyDenied');
  });

  it('denies an account that is no environment', async () => {
    expect(await asProdDeployer('s3:GetObject', `${bucket}/suspense/suspense-prod.tfstate`, `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`)).toBe('ImplicitlyDenied');
  });
});

describe('SwitchTable.grantRead, for another team\'s function', () => {
  const where = { accountId: '123456789012', region: 'us-east-1', partition: 'aws' };
  const table = `arn:aws:dynamodb:${where.region}:${where.accountId}:table/shared-switches`;
  const role = `arn:aws:iam::${where.accountId}:role/orders-api`;
  let identity: { name: string; policy: PolicyDocument }[];

  beforeAll(() => {
    const json = synthTestStack((stack) => {
      new AwsProvider(stack, 'aws', { region: where.region });
      const switches = new SwitchTable(stack, 'switches', { ...where, tableName: 'shared-switches' });
      const orders = new NodejsFunction(stack, 'orders', { ...where, functionName: 'orders-api', entry: 'functions/check/handler.ts' });
      switches.grantRead(orders);
    });
    identity = rolePolicies(json, 'orders-api');
  });

  const asOrders = (action: string, resource: string): Promise<Decision> => decide({ principal: role, action, resource, accountId: where.accountId }, { identity });

  it('lets the function GetItem the switch table', async () => {
    expect(await asOrders('dynamodb:GetItem', table)).toBe('Allowed');
  });

  it.each([
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Scan',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PartiQLSelect',
    'dynamodb:DescribeTable',
    'dynamodb:UpdateTable',
    'dynamodb:DeleteTable',
  ])('lets it do nothing else on the switch table: not %s', async (action) => {
    expect(await asOrders(action, table)).toBe('ImplicitlyDenied');
  });

  it('does not let it read any other table', async () => {
    expect(await asOrders('dynamodb:GetItem', `arn:aws:dynamodb:${where.region}:${where.accountId}:table/orders`)).toBe('ImplicitlyDenied');
  });
});

describe.each(environments(SYNTH_ENV).filter((config) => config.trips.length > 0).map((config) => [`suspense-${config.environment}`, config] as const))(
  'the trip function role of %s',
  (stackName, config) => {
    const account = config.accountId;
    const region = config.region;
    const table = `arn:aws:dynamodb:${region}:${account}:table/${config.tableName}`;
    const logGroup = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${config.tripFunctionName}`;
    const role = `arn:aws:iam::${account}:role/${config.tripFunctionName}`;
    let identity: { name: string; policy: PolicyDocument }[];

    beforeAll(() => {
      identity = rolePolicies(synthesized.stack(stackName), config.tripFunctionName);
    });

    const asTheTrip = (action: string, resource: string): Promise<Decision> => decide({ principal: role, action, resource, accountId: account }, { identity });

    it.each([
      ['dynamodb:GetItem', table],
      ['dynamodb:UpdateItem', table],
      ['logs:PutLogEvents', `${logGroup}:log-stream:s`],
      ['xray:PutTraceSegments', '*'],
    ])('may %s on %s', async (action, resource) => {
      expect(await asTheTrip(action, resource)).toBe('Allowed');
    });

    it.each([
      ['dynamodb:DeleteItem', table],
      ['dynamodb:Scan', table],
      ['dynamodb:Query', table],
      ['dynamodb:PutItem', table],
      ['dynamodb:BatchWriteItem', table],
      ['dynamodb:PartiQLUpdate', table],
      ['dynamodb:PartiQLDelete', table],
      ['dynamodb:DeleteTable', table],
      ['dynamodb:UpdateTable', table],
      ['dynamodb:UpdateItem', `arn:aws:dynamodb:${region}:${account}:table/orders`],
      ['logs:PutLogEvents', `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${config.functionName}:log-stream:s`],
      ['lambda:InvokeFunction', `arn:aws:lambda:${region}:${account}:function:${config.functionName}`],
      ['iam:PutRolePolicy', role],
    ])('may not %s on %s', async (action, resource) => {
      expect(await asTheTrip(action, resource)).toBe('ImplicitlyDenied');
    });
  },
);
