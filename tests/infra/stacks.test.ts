import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractZip } from '../../sandbox/zip-extract';
import { ENV, SWITCH_KEY, DEFAULT_SETTINGS } from '../../functions/switch/schema';
import { PROJECT_ROOT } from '../../stacks/project-root';
import { CHECK_FUNCTION_RESERVED_CONCURRENCY, FUNCTION_DEFAULTS, TABLE_DEFAULTS } from '../../stacks/defaults';
import { onlyResource, policyStatements, resources, synthesize, type StackJson, type Synthesized } from '../support/synth';
import { withoutTrips } from './trip-resources';

const ENVIRONMENT_STACKS = ['suspense-dev', 'suspense-prod'] as const;

const DEPLOYMENT_ENV = {
  SUSPENSE_DEV_ACCOUNT_ID: '123456789012',
  SUSPENSE_PROD_ACCOUNT_ID: '210987654321',
  SUSPENSE_STATE_ACCOUNT_ID: '345678901234',
  SUSPENSE_STATE_BUCKET: 'acme-suspense-tfstate',
  SUSPENSE_ALLOW_PLACEHOLDERS: undefined,
};
const KMS_ALIAS_ARN = 'arn:aws:kms:eu-west-1:345678901234:alias/suspense-terraform-state';

describe('synthesized stacks', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize(DEPLOYMENT_ENV);
  });
  afterAll(() => synth.cleanup());

  it('produces exactly the state stack and one stack per environment', () => {
    expect(fs.readdirSync(path.join(synth.outdir, 'stacks')).sort()).toEqual(['suspense-dev', 'suspense-prod', 'suspense-state']);
  });

  describe.each(ENVIRONMENT_STACKS)('%s', (stackName) => {
    const environment = stackName.replace('suspense-', '');
    const accountId = environment === 'dev' ? '123456789012' : '210987654321';
    const functionName = `suspense-check-${environment}`;
    const tableName = `suspense-switches-${environment}`;
    let stack: StackJson;
    beforeAll(() => {
      // The check function's resources; the trips' are tests/infra/trips.test.ts's.
      stack = withoutTrips(synth.stack(stackName));
    });

    it('configures the AWS provider for its account and region with default tags', () => {
      expect(stack.provider.aws).toEqual([
        {
          region: 'eu-west-1',
          allowed_account_ids: [accountId],
          default_tags: [{ tags: { project: 'suspense', environment, 'managed-by': 'cdktf' } }],
        },
      ]);
      expect(stack.terraform.required_providers.aws).toEqual({ source: 'aws', version: '5.100.0' });
    });

    it('keeps its state in S3, encrypted with the state stack\'s KMS key, with a native lock file and a key of its own', () => {
      expect(stack.terraform.backend).toEqual({
        s3: {
          bucket: 'acme-suspense-tfstate',
          region: 'eu-west-1',
          key: `suspense/${stackName}.tfstate`,
          encrypt: true,
          kms_key_id: KMS_ALIAS_ARN,
          use_lockfile: true,
        },
      });
    });

    it('declares the switch table from the shared schema, on demand, with PITR and encryption', () => {
      const table = onlyResource(stack, 'aws_dynamodb_table');
      expect(table).toMatchObject({
        name: tableName,
        hash_key: SWITCH_KEY.name,
        attribute: [{ name: SWITCH_KEY.name, type: SWITCH_KEY.type }],
        billing_mode: TABLE_DEFAULTS.billing.mode,
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true },
        deletion_protection_enabled: environment === 'prod',
        lifecycle: { prevent_destroy: environment === 'prod' },
      });
      expect(table).not.toHaveProperty('range_key');
      expect(table).not.toHaveProperty('read_capacity');
    });

    it('has a role that only Lambda can assume', () => {
      const role = onlyResource(stack, 'aws_iam_role');
      expect(role.name).toBe(functionName);
      expect(JSON.parse(role.assume_role_policy)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    });

    it('grants exactly GetItem on its table, X-Ray segments, and writes to its own log group', () => {
      const policies = Object.values(resources(stack, 'aws_iam_role_policy'));
      const statements = policies.flatMap((policy) => policyStatements(policy.policy));
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Sid: 'ReadSwitches',
            Effect: 'Allow',
            Action: ['dynamodb:GetItem'],
            Resource: [`arn:aws:dynamodb:eu-west-1:${accountId}:table/${tableName}`],
          },
          {
            Sid: 'SendTraces',
            Effect: 'Allow',
            Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
            Resource: ['*'],
          },
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [`arn:aws:logs:eu-west-1:${accountId}:log-group:/aws/lambda/${functionName}:*`],
          },
        ]),
      );
      expect(statements).toHaveLength(3);
      for (const statement of statements) {
        for (const action of statement.Action) expect(action).not.toContain('*');
        if (statement.Resource.includes('*')) expect(statement.Action.every((a: string) => a.startsWith('xray:'))).toBe(true);
      }
      const roleRef = '${aws_iam_role.' + Object.keys(resources(stack, 'aws_iam_role'))[0] + '.name}';
      for (const policy of policies) expect(policy.role).toBe(roleRef);
    });

    it('creates the log group with retention before the function', () => {
      const logGroup = onlyResource(stack, 'aws_cloudwatch_log_group');
      expect(logGroup).toMatchObject({
        name: `/aws/lambda/${functionName}`,
        retention_in_days: environment === 'prod' ? 90 : FUNCTION_DEFAULTS.logRetentionDays,
      });
      const fn = onlyResource(stack, 'aws_lambda_function');
      const logGroupId = Object.keys(resources(stack, 'aws_cloudwatch_log_group'))[0];
      const policyIds = Object.keys(resources(stack, 'aws_iam_role_policy')).map((id) => `aws_iam_role_policy.${id}`);
      expect([...fn.depends_on].sort()).toEqual([`aws_cloudwatch_log_group.${logGroupId}`, ...policyIds].sort());
      expect(fn.logging_config).toEqual({
        log_format: 'JSON',
        log_group: '${aws_cloudwatch_log_group.' + logGroupId + '.name}',
        application_log_level: 'INFO',
        system_log_level: 'WARN',
      });
    });

    it('runs the check function with the default runtime, memory, timeout and architecture, tracing, reserved concurrency and its settings', () => {
      const fn = onlyResource(stack, 'aws_lambda_function');
      expect(fn).toMatchObject({
        function_name: functionName,
        runtime: FUNCTION_DEFAULTS.runtime,
        handler: 'index.handler',
        memory_size: FUNCTION_DEFAULTS.memorySize,
        timeout: FUNCTION_DEFAULTS.timeoutSeconds,
        architectures: [FUNCTION_DEFAULTS.architecture],
        reserved_concurrent_executions: CHECK_FUNCTION_RESERVED_CONCURRENCY,
        tracing_config: { mode: 'Active' },
      });
      expect(fn.environment.variables).toEqual({
        [ENV.table]: tableName,
        [ENV.cacheTtlSeconds]: String(DEFAULT_SETTINGS.cacheTtlSeconds),
        [ENV.maxStaleSeconds]: String(DEFAULT_SETTINGS.maxStaleSeconds),
        [ENV.failMode]: DEFAULT_SETTINGS.failMode,
        [ENV.defaultSwitch]: DEFAULT_SETTINGS.defaultSwitch,
        [ENV.requestTimeoutMs]: String(DEFAULT_SETTINGS.requestTimeoutMs),
        [ENV.maxAttempts]: String(DEFAULT_SETTINGS.maxAttempts),
      });
    });

    it('ships the bundle as a zip asset whose source_code_hash is the SHA-256 of the bundle it holds', () => {
      const fn = onlyResource(stack, 'aws_lambda_function');
      expect(fn.filename).toMatch(/^assets\/check_code_[0-9A-F]{8}\/[0-9a-f]{64}\/function\.zip$/);
      const zip = fs.readFileSync(path.join(synth.stackDir(stackName), fn.filename));
      const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-unpacked-'));
      try {
        const files = extractZip(zip, unpacked);
        expect(files.map((file) => file.name)).toEqual(['index.js']);
        // Independent of deflate: name, size and bytes of each entry, as contentDigest spells them.
        const index = fs.readFileSync(path.join(unpacked, 'index.js'));
        const expected = createHash('sha256').update(`index.js\0${index.length}\0`).update(index).digest();
        expect(fn.source_code_hash).toBe(expected.toString('base64'));
        expect(fn.filename).toContain(expected.toString('hex'));
      } finally {
        fs.rmSync(unpacked, { recursive: true, force: true });
      }
    });

    it('outputs the table, function, role and log group', () => {
      const ref = (type: string, attribute: string) =>
        '${' + `${type}.${Object.keys(resources(stack, type))[0]}.${attribute}` + '}';
      expect(Object.fromEntries(Object.entries(stack.output).map(([name, output]) => [name, output.value]))).toEqual({
        table_name: ref('aws_dynamodb_table', 'name'),
        table_arn: ref('aws_dynamodb_table', 'arn'),
        function_name: ref('aws_lambda_function', 'function_name'),
        function_arn: ref('aws_lambda_function', 'arn'),
        role_arn: ref('aws_iam_role', 'arn'),
        log_group_name: ref('aws_cloudwatch_log_group', 'name'),
      });
    });
  });

  describe('suspense-state', () => {
    let stack: StackJson;
    beforeAll(() => {
      stack = synth.stack('suspense-state');
    });

    it('keeps its own state locally, at a path relative to the stack folder', () => {
      expect(stack.terraform.backend).toEqual({ local: { path: '../../../terraform.suspense-state.tfstate' } });
    });

    it('guards its provider with the state account, like the environment stacks', () => {
      expect(stack.provider.aws).toEqual([
        {
          region: 'eu-west-1',
          allowed_account_ids: ['345678901234'],
          default_tags: [{ tags: { project: 'suspense', environment: 'shared', 'managed-by': 'cdktf' } }],
        },
      ]);
    });

    it('creates a rotating customer-managed KMS key under the alias every backend names, and outputs both', () => {
      expect(onlyResource(stack, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
      expect(onlyResource(stack, 'aws_kms_alias')).toMatchObject({ name: 'alias/suspense-terraform-state', target_key_id: '${aws_kms_key.key.key_id}' });
      expect(KMS_ALIAS_ARN.endsWith(onlyResource(stack, 'aws_kms_alias').name)).toBe(true);
      expect(stack.output.state_kms_key_alias.value).toBe('${aws_kms_alias.key-alias.name}');
      expect(stack.output.state_kms_key_arn.value).toBe('${aws_kms_key.key.arn}');
    });

    it('creates a versioned, KMS-encrypted, private state bucket that refuses plain HTTP', () => {
      const bucketRef = '${aws_s3_bucket.bucket.id}';
      expect(onlyResource(stack, 'aws_s3_bucket')).toMatchObject({ bucket: 'acme-suspense-tfstate', lifecycle: { prevent_destroy: true } });
      expect(onlyResource(stack, 'aws_s3_bucket_versioning')).toMatchObject({
        bucket: bucketRef,
        versioning_configuration: { status: 'Enabled' },
      });
      expect(onlyResource(stack, 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
        bucket: bucketRef,
        rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.key.arn}' }, bucket_key_enabled: true }],
      });
      expect(onlyResource(stack, 'aws_s3_bucket_public_access_block')).toMatchObject({
        bucket: bucketRef,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(onlyResource(stack, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
      const policy = onlyResource(stack, 'aws_s3_bucket_policy');
      expect(policyStatements(policy.policy)).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-suspense-tfstate', 'arn:aws:s3:::acme-suspense-tfstate/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'EnvironmentAccountsList',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::123456789012:root', 'arn:aws:iam::210987654321:root'] },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::acme-suspense-tfstate',
        },
        {
          Sid: 'EnvironmentAccountsReadWriteState',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::123456789012:root', 'arn:aws:iam::210987654321:root'] },
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: 'arn:aws:s3:::acme-suspense-tfstate/suspense/*',
        },
      ]);
      expect(policy.depends_on).toEqual(['aws_s3_bucket_public_access_block.public-access-block']);
    });

    it("lets the environment accounts use the key only through S3 in the bucket's region, to read and write state", () => {
      expect(policyStatements(onlyResource(stack, 'aws_kms_key').policy)).toEqual([
        { Sid: 'StateAccountAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::345678901234:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'EnvironmentAccountsUseViaS3',
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::123456789012:root', 'arn:aws:iam::210987654321:root'] },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        },
      ]);
    });

    it('expires replaced state versions and abandoned uploads', () => {
      expect(onlyResource(stack, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrent_version_expiration: [{ noncurrent_days: 90 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        },
      ]);
    });
  });
});

describe('deployment variables', () => {
  it('come from SUSPENSE_STATE_* variables', () => {
    const synth = synthesize({
      ...DEPLOYMENT_ENV,
      SUSPENSE_STATE_BUCKET: 'acme-tfstate',
      SUSPENSE_STATE_REGION: 'us-east-2',
      SUSPENSE_STATE_KEY_PREFIX: '/platform/suspense/',
    });
    try {
      expect(synth.stack('suspense-prod').terraform.backend.s3).toMatchObject({
        bucket: 'acme-tfstate',
        region: 'us-east-2',
        key: 'platform/suspense/suspense-prod.tfstate',
        kms_key_id: 'arn:aws:kms:us-east-2:345678901234:alias/suspense-terraform-state',
      });
      expect(onlyResource(synth.stack('suspense-state'), 'aws_s3_bucket').bucket).toBe('acme-tfstate');
    } finally {
      synth.cleanup();
    }
  });

  it('grant no cross-account access when the environments share the state account', () => {
    const synth = synthesize({ ...DEPLOYMENT_ENV, SUSPENSE_DEV_ACCOUNT_ID: '345678901234', SUSPENSE_PROD_ACCOUNT_ID: '345678901234', SUSPENSE_STATE_KEY_PREFIX: 'x' });
    try {
      const stack = synth.stack('suspense-state');
      expect(policyStatements(onlyResource(stack, 'aws_kms_key').policy).map((statement) => statement.Sid)).toEqual(['StateAccountAdministers']);
      expect(policyStatements(onlyResource(stack, 'aws_s3_bucket_policy').policy).map((statement) => statement.Sid)).toEqual(['DenyInsecureTransport']);
    } finally {
      synth.cleanup();
    }
  });

  it('scope the environment accounts\' state access to SUSPENSE_STATE_KEY_PREFIX', () => {
    const synth = synthesize({ ...DEPLOYMENT_ENV, SUSPENSE_STATE_KEY_PREFIX: 'platform/suspense' });
    try {
      const statements = policyStatements(onlyResource(synth.stack('suspense-state'), 'aws_s3_bucket_policy').policy);
      expect(statements.find((statement) => statement.Sid === 'EnvironmentAccountsReadWriteState')!.Resource).toBe('arn:aws:s3:::acme-suspense-tfstate/platform/suspense/*');
    } finally {
      synth.cleanup();
    }
  });

  it('are all required: the app exits 1 with one message naming every missing variable and where to set it, writing nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'suspense-no-vars-'));
    try {
      // main.ts as cdktf runs it (cdktf.json's app), with one of the four variables set.
      const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'tools', 'run-ts.js'), path.join(PROJECT_ROOT, 'main.ts')], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, SUSPENSE_DEV_ACCOUNT_ID: '123456789012' },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        [
          'cannot synthesize the stacks:',
          '  missing SUSPENSE_STATE_BUCKET, SUSPENSE_STATE_ACCOUNT_ID, SUSPENSE_PROD_ACCOUNT_ID:',
          '    SUSPENSE_STATE_BUCKET: the S3 bucket for Terraform state, created by the suspense-state stack',
          '    SUSPENSE_STATE_ACCOUNT_ID: the AWS account that holds the state bucket and its KMS key',
          '    SUSPENSE_PROD_ACCOUNT_ID: the AWS account of the prod environment',
          'Set them in the environment (export them, or in GitHub Actions the repository variables the workflows map',
          'to them; README "Deploying"). Only tools that never plan or deploy (the local sandbox, the benchmark, tests)',
          'may synthesize with placeholders, by setting SUSPENSE_ALLOW_PLACEHOLDERS to local-sandbox, benchmark, test.',
          '',
        ].join('\n'),
      );
      // cdktf's App makes the empty folder; no stack and no manifest is written.
      expect(fs.readdirSync(outdir)).toEqual(['stacks']);
      expect(fs.readdirSync(path.join(outdir, 'stacks'))).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ SUSPENSE_STATE_BUCKET: 'Not_A_Bucket' }, 'SUSPENSE_STATE_BUCKET "Not_A_Bucket" is not a valid S3 bucket name'],
    [{ SUSPENSE_PROD_ACCOUNT_ID: '2109876543' }, 'SUSPENSE_PROD_ACCOUNT_ID "2109876543" is not an AWS account ID (12 digits)'],
    [{ SUSPENSE_DEV_REGION: 'eu-west-9' }, 'SUSPENSE_DEV_REGION "eu-west-9" is not an AWS region (stacks/aws-regions.ts lists them)'],
    [{ SUSPENSE_STATE_REGION: 'mars-1' }, 'SUSPENSE_STATE_REGION "mars-1" is not an AWS region'],
    [{ SUSPENSE_ALLOW_PLACEHOLDERS: 'deploy' }, 'SUSPENSE_ALLOW_PLACEHOLDERS "deploy" is not one of local-sandbox, benchmark, test'],
  ])('reject %j, naming the variable', (override, message) => {
    expect(() => synthesize({ ...DEPLOYMENT_ENV, ...override })).toThrow(message);
  });

  it('accept a region of any partition', () => {
    const synth = synthesize({ ...DEPLOYMENT_ENV, SUSPENSE_PROD_REGION: 'cn-north-1' });
    try {
      expect(synth.stack('suspense-prod').provider.aws[0].region).toBe('cn-north-1');
      expect(synth.stack('suspense-prod').resource.aws_iam_role_policy).toBeDefined();
      const statements = Object.values(resources(synth.stack('suspense-prod'), 'aws_iam_role_policy')).flatMap((p) => policyStatements(p.policy));
      expect(statements.find((s) => s.Sid === 'ReadSwitches')!.Resource).toEqual(['arn:aws-cn:dynamodb:cn-north-1:210987654321:table/suspense-switches-prod']);
    } finally {
      synth.cleanup();
    }
  });

  it('keep state in S3 whenever no placeholders are allowed, and locally whenever they are, even with every variable set', () => {
    const real = synthesize(DEPLOYMENT_ENV);
    const allowed = synthesize({ ...DEPLOYMENT_ENV, SUSPENSE_ALLOW_PLACEHOLDERS: 'benchmark' });
    try {
      expect(Object.keys(real.stack('suspense-dev').terraform.backend)).toEqual(['s3']);
      expect(allowed.stack('suspense-dev').terraform.backend).toEqual({ local: { path: 'placeholder-only.tfstate' } });
    } finally {
      real.cleanup();
      allowed.cleanup();
    }
  });

  it('may be placeholders only when a tool says so, for the tools that never deploy', () => {
    const synth = synthesize({ SUSPENSE_ALLOW_PLACEHOLDERS: 'local-sandbox' });
    try {
      // A placeholder bucket name may be anyone's: placeholder output keeps its state in its own folder.
      expect(synth.stack('suspense-dev').terraform.backend).toEqual({ local: { path: 'placeholder-only.tfstate' } });
      expect(synth.stack('suspense-prod').terraform.backend).toEqual({ local: { path: 'placeholder-only.tfstate' } });
      expect(synth.stack('suspense-dev').provider.aws[0].allowed_account_ids).toEqual(['111111111111']);
      expect(synth.stack('suspense-state').provider.aws[0].allowed_account_ids).toEqual(['333333333333']);
    } finally {
      synth.cleanup();
    }
  });
});
