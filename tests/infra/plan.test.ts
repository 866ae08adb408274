import { planOffline, terraformAvailability, type OfflinePlan, type OfflinePlans, type PlannedResource } from '../support/offline-plan';
import { synthesize, type Synthesized } from '../support/synth';
import { describeTripPlan } from './trip-plan';
import { planWithoutTrips } from './trip-resources';

const terraform = terraformAvailability();
if (!terraform.available) {
  if (process.env.CI === 'true') throw new Error(`the offline plan is required in CI, but ${terraform.reason}`);
  // Said once, loudly, rather than silently passing: a developer without Terraform skips only this suite.
  console.warn(`Skipping the offline Terraform plan: ${terraform.reason}.`);
}
const describeWithTerraform = terraform.available ? describe : describe.skip;

const ACCOUNT = '123456789012';
const STACKS = ['suspense-dev', 'suspense-prod', 'suspense-state'];

function byType(plan: OfflinePlan, type: string): PlannedResource[] {
  return plan.resources.filter((resource) => resource.type === type);
}
function only(plan: OfflinePlan, type: string): Record<string, any> {
  const found = byType(plan, type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the plan, found ${found.length}`);
  return found[0].values;
}

describeWithTerraform('offline plan with the real Terraform and AWS provider', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({
      SUSPENSE_DEV_ACCOUNT_ID: ACCOUNT,
      SUSPENSE_PROD_ACCOUNT_ID: '210987654321',
      SUSPENSE_STATE_ACCOUNT_ID: '345678901234',
      SUSPENSE_STATE_BUCKET: 'acme-suspense-tfstate',
      // Synthesized as for a deploy (S3 backend); the offline plan keeps its state locally instead.
      SUSPENSE_ALLOW_PLACEHOLDERS: undefined,
    });
  });
  // The three stacks in one Terraform run (tests/support/offline-plan.ts), made by the first block that looks.
  let planned: OfflinePlans | undefined;
  const planOf = (stack: string): OfflinePlan => {
    planned ??= planOffline(Object.fromEntries(STACKS.map((name) => [name, synth.stackDir(name)])), terraform.mirror!);
    return planned.plans[stack]!;
  };
  afterAll(() => {
    planned?.cleanup();
    synth.cleanup();
  });

  describe.each(['dev', 'prod'] as const)('suspense-%s', (environment) => {
    const account = environment === 'dev' ? ACCOUNT : '210987654321';
    let plan: OfflinePlan;
    beforeAll(() => {
      // The check function's resources; the trips' are describeTripPlan's (tests/infra/trip-plan.ts).
      plan = planWithoutTrips(planOf(`suspense-${environment}`), `suspense-trip-${environment}`);
    }, 180_000);

    it('creates exactly the table, role, three policies, log group and function', () => {
      expect(plan.resources.map((r) => `${r.type} ${r.actions.join(',')}`).sort()).toEqual([
        'aws_cloudwatch_log_group create',
        'aws_dynamodb_table create',
        'aws_iam_role create',
        'aws_iam_role_policy create',
        'aws_iam_role_policy create',
        'aws_iam_role_policy create',
        'aws_lambda_function create',
      ]);
    });

    it('plans the table with its key, billing, PITR, encryption and deletion protection', () => {
      expect(only(plan, 'aws_dynamodb_table')).toMatchObject({
        name: `suspense-switches-${environment}`,
        hash_key: 'switch',
        attribute: [{ name: 'switch', type: 'S' }],
        billing_mode: 'PAY_PER_REQUEST',
        point_in_time_recovery: [{ enabled: true }],
        server_side_encryption: [{ enabled: true }],
        deletion_protection_enabled: environment === 'prod',
        tags_all: { project: 'suspense', environment, 'managed-by': 'cdktf' },
      });
    });

    it('plans IAM statements that meet the least-privilege rule, known in full before apply', () => {
      const policies = byType(plan, 'aws_iam_role_policy').map((p) => p.values);
      const statements = policies.flatMap((p) => JSON.parse(p.policy as string).Statement as Array<Record<string, any>>);
      const actions = statements.flatMap((s) => s.Action as string[]).sort();
      expect(actions).toEqual(['dynamodb:GetItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect((statement.Action as string[]).some((a) => a.includes('*'))).toBe(false);
        const wildcardResource = (statement.Resource as string[]).includes('*');
        expect(wildcardResource).toBe((statement.Action as string[]).every((a) => a.startsWith('xray:')));
      }
      const resourceOf = (action: string) => statements.find((s) => (s.Action as string[]).includes(action))!.Resource;
      expect(resourceOf('dynamodb:GetItem')).toEqual([`arn:aws:dynamodb:eu-west-1:${account}:table/suspense-switches-${environment}`]);
      expect(resourceOf('logs:PutLogEvents')).toEqual([`arn:aws:logs:eu-west-1:${account}:log-group:/aws/lambda/suspense-check-${environment}:*`]);
      expect(policies.map((p) => p.role)).toEqual(Array(3).fill(`suspense-check-${environment}`));
      const role = only(plan, 'aws_iam_role');
      expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    });

    it('plans the log group and the function with their key values', () => {
      expect(only(plan, 'aws_cloudwatch_log_group')).toMatchObject({
        name: `/aws/lambda/suspense-check-${environment}`,
        retention_in_days: environment === 'prod' ? 90 : 30,
      });
      const fn = only(plan, 'aws_lambda_function');
      expect(fn).toMatchObject({
        function_name: `suspense-check-${environment}`,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        memory_size: 640,
        timeout: 5,
        architectures: ['arm64'],
        reserved_concurrent_executions: 100,
        package_type: 'Zip',
        tracing_config: [{ mode: 'Active' }],
        logging_config: [
          { log_format: 'JSON', log_group: `/aws/lambda/suspense-check-${environment}`, application_log_level: 'INFO', system_log_level: 'WARN' },
        ],
      });
      expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect((fn.environment as Array<{ variables: Record<string, string> }>)[0].variables.SUSPENSE_TABLE).toBe(`suspense-switches-${environment}`);
    });

    it('declares every output', () => {
      expect(Object.keys(plan.outputs).sort()).toEqual(['function_arn', 'function_name', 'log_group_name', 'role_arn', 'table_arn', 'table_name']);
    });
  });

  describe('suspense-state', () => {
    let plan: OfflinePlan;
    beforeAll(() => {
      plan = planOf('suspense-state');
    }, 180_000);

    it('creates the KMS key and alias, the bucket and its versioning, encryption, public access block, TLS policy and lifecycle', () => {
      expect(plan.resources.map((r) => `${r.type} ${r.actions.join(',')}`).sort()).toEqual([
        'aws_kms_alias create',
        'aws_kms_key create',
        'aws_s3_bucket create',
        'aws_s3_bucket_lifecycle_configuration create',
        'aws_s3_bucket_ownership_controls create',
        'aws_s3_bucket_policy create',
        'aws_s3_bucket_public_access_block create',
        'aws_s3_bucket_server_side_encryption_configuration create',
        'aws_s3_bucket_versioning create',
      ]);
      expect(only(plan, 'aws_s3_bucket')).toMatchObject({ bucket: 'acme-suspense-tfstate', force_destroy: false });
      expect(only(plan, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      expect(only(plan, 'aws_kms_alias')).toMatchObject({ name: 'alias/suspense-terraform-state' });
      expect(Object.keys(plan.outputs).sort()).toEqual(['state_bucket_arn', 'state_bucket_name', 'state_kms_key_alias', 'state_kms_key_arn']);
      expect(only(plan, 'aws_s3_bucket_versioning').versioning_configuration).toEqual([{ status: 'Enabled' }]);
      expect(only(plan, 'aws_s3_bucket_public_access_block')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const environmentRoots = { AWS: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::210987654321:root'] };
      expect(JSON.parse(only(plan, 'aws_s3_bucket_policy').policy).Statement).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-suspense-tfstate', 'arn:aws:s3:::acme-suspense-tfstate/*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        { Sid: 'EnvironmentAccountsList', Effect: 'Allow', Principal: environmentRoots, Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-suspense-tfstate' },
        {
          Sid: 'EnvironmentAccountsReadWriteState',
          Effect: 'Allow',
          Principal: environmentRoots,
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: 'arn:aws:s3:::acme-suspense-tfstate/suspense/*',
        },
      ]);
      expect(JSON.parse(only(plan, 'aws_kms_key').policy).Statement).toEqual([
        { Sid: 'StateAccountAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::345678901234:root' }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'EnvironmentAccountsUseViaS3',
          Effect: 'Allow',
          Principal: environmentRoots,
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        },
      ]);
      expect(only(plan, 'aws_s3_bucket_lifecycle_configuration').rule[0].noncurrent_version_expiration).toEqual([
        { noncurrent_days: 90, newer_noncurrent_versions: null },
      ]);
    });
  });

  describeTripPlan(() => planOf('suspense-dev'));
});
