import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackJson } from '../support/synth';
import { MOTO_ACCOUNT_ID } from '../support/moto-server';

/** AWS services the stacks and their S3 backends call, all answered by moto on one endpoint. */
const SERVICES = ['cloudwatch', 'cloudwatchlogs', 'dynamodb', 'events', 'iam', 'kms', 'lambda', 's3', 'sts'] as const;

/**
 * What moto 5.2.1 does differently from AWS, where it would make an applied stack look different from its
 * configuration. Each is excluded by an override of exactly one attribute of one resource type, written into the
 * synthesized stack folder beside cdk.tf.json, never into the repository's stacks.
 */
export interface EmulatorGap {
  /** A short name, written into the override file as a comment. */
  readonly name: string;
  readonly resourceType: string;
  readonly attribute: string;
  /** What moto does, and why the override is safe. */
  readonly why: string;
  /** The override block for one resource of `resourceType`. */
  override(resource: Record<string, unknown>): Record<string, unknown>;
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    name: 'lambda-logging-config',
    resourceType: 'aws_lambda_function',
    attribute: 'logging_config',
    why: 'moto\'s GetFunction does not return a function\'s LoggingConfig, so every refresh sees the JSON log format and log group as removed and plans to add them back; ignored on updates only, the create still sends it',
    override: () => ({ lifecycle: { ignore_changes: ['logging_config'] } }),
  },
  {
    name: 's3-tls-only-policy',
    resourceType: 'aws_s3_bucket_policy',
    attribute: 'policy',
    why: 'moto applies the TLS-only statement (Deny unless aws:SecureTransport) to every request, TLS or not, so the bucket would refuse the backend; replaced by a statement that grants moto\'s account what it already has',
    override: (resource) => {
      const statements = (JSON.parse(resource.policy as string) as { Statement: Array<{ Resource: string[] }> }).Statement;
      return {
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'EmulatorStandIn', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT_ID}:root` }, Action: 's3:*', Resource: statements[0]!.Resource }],
        }),
      };
    },
  },
];

/** The emulator gaps that apply to `stack`'s resources. */
export function gapsIn(stack: StackJson): EmulatorGap[] {
  return EMULATOR_GAPS.filter((gap) => Object.keys(stack.resource?.[gap.resourceType] ?? {}).length > 0);
}

/**
 * Points a synthesized stack at moto: the provider's endpoints, the S3 backend's endpoints (the rest of the backend
 * stays as synthesized: bucket, key, KMS key, lock file), and the emulator gaps' overrides. The provider keeps its
 * account guard: moto's STS answers with MOTO_ACCOUNT_ID, which the stacks were synthesized with.
 */
export function pointStackAtMoto(stackDir: string, endpoint: string): EmulatorGap[] {
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as StackJson;
  const write = (file: string, content: object) => fs.writeFileSync(path.join(stackDir, file), `${JSON.stringify(content, null, 2)}\n`);
  write('provider_override.tf.json', {
    provider: { aws: { endpoints: [Object.fromEntries(SERVICES.map((service) => [service, endpoint]))], s3_use_path_style: true, skip_metadata_api_check: true } },
  });
  const s3Backend = stack.terraform.backend?.s3 as Record<string, unknown> | undefined;
  if (s3Backend) {
    // An override's backend block replaces the original whole, so the synthesized settings are carried over.
    write('backend_override.tf.json', {
      terraform: { backend: { s3: { ...s3Backend, endpoints: { s3: endpoint, sts: endpoint, iam: endpoint }, use_path_style: true, skip_metadata_api_check: true } } },
    });
  }
  const gaps = gapsIn(stack);
  const resources: Record<string, Record<string, object>> = {};
  for (const gap of gaps) {
    for (const [name, resource] of Object.entries(stack.resource[gap.resourceType] ?? {})) {
      resources[gap.resourceType] = { ...resources[gap.resourceType], [name]: { '//': `emulator gap ${gap.name}: ${gap.why}`, ...gap.override(resource) } };
    }
  }
  if (gaps.length > 0) write('emulator_gaps_override.tf.json', { resource: resources });
  return gaps;
}
