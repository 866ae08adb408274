import type { Construct } from 'constructs';
import { LocalBackend, S3Backend } from 'cdktf';
import { partitionOfRegion } from './aws-regions';
import { STATE_KEY_PREFIX_VARIABLE, type DeploymentVariables, type PlaceholderUse } from './deployment-variables';

/** The alias of the state stack's KMS key: known before the key exists, so every backend can name it. */
export const STATE_KMS_KEY_ALIAS = 'alias/suspense-terraform-state';

/** Where every environment stack keeps its Terraform state. */
export interface StateBackendSettings {
  /** Bucket created by the `suspense-state` stack (SUSPENSE_STATE_BUCKET, required). */
  readonly bucket: string;
  /** Account of the bucket and its key (SUSPENSE_STATE_ACCOUNT_ID, required): the state stack's account guard. */
  readonly accountId: string;
  /** Region of the bucket (SUSPENSE_STATE_REGION). @default DEFAULT_REGION ('eu-west-1') */
  readonly region: string;
  /** Key prefix; each stack's state is `<prefix>/<stack>.tfstate` (SUSPENSE_STATE_KEY_PREFIX). @default 'suspense' */
  readonly keyPrefix: string;
  /** ARN of the alias of the KMS key that encrypts every state object. */
  readonly kmsKeyAliasArn: string;
  /**
   * Set when the synth may use placeholders (SUSPENSE_ALLOW_PLACEHOLDERS): the tool that asked. Such stacks keep
   * their state locally, so placeholder output can never read or write remote state. @default undefined (S3)
   */
  readonly placeholdersFor?: PlaceholderUse;
}

/** Reads the state settings; problems are collected in `variables`: call its check() before using the result. */
export function stateBackendSettings(variables: DeploymentVariables): StateBackendSettings {
  const bucket = variables.stateBucket();
  const { accountId, region } = variables.accountAndRegion('state', 'the AWS account that holds the state bucket and its KMS key');
  const keyPrefix = variables
    .optional(STATE_KEY_PREFIX_VARIABLE, 'suspense', (value) => (/^[A-Za-z0-9!_.*'()/-]+$/.test(value) ? undefined : 'is not a usable S3 key prefix'))
    .replace(/^\/+|\/+$/g, '');
  const partition = partitionOfRegion(region) ?? 'aws'; // an unknown region is already a problem check() reports
  return {
    bucket,
    accountId,
    region,
    keyPrefix,
    kmsKeyAliasArn: `arn:${partition}:kms:${region}:${accountId}:${STATE_KMS_KEY_ALIAS}`,
    ...(variables.placeholdersFor ? { placeholdersFor: variables.placeholdersFor } : {}),
  };
}

/**
 * S3 remote state (a local file when the synth used placeholders), encrypted with the state stack's KMS key,
 * locked with Terraform's native lock file (no DynamoDB lock table). `encrypt` alone would make Terraform ask for
 * SSE-S3 (AES256) on every write, overriding the bucket's KMS default; naming the key makes every state object
 * SSE-KMS with it.
 */
export function useStateBackend(stack: Construct, stackName: string, settings: StateBackendSettings): S3Backend | LocalBackend {
  // A placeholder bucket name may be anyone's: a stack synthesized with placeholders must never reach it. The
  // relative path keeps the state (if a tool ever applies it) in the stack's own output folder.
  if (settings.placeholdersFor) return new LocalBackend(stack, { path: 'placeholder-only.tfstate' });
  const backend = new S3Backend(stack, {
    bucket: settings.bucket,
    region: settings.region,
    key: `${settings.keyPrefix}/${stackName}.tfstate`,
    encrypt: true,
    kmsKeyId: settings.kmsKeyAliasArn,
  });
  // cdktf 0.21's S3Backend predates `use_lockfile` (Terraform 1.10+), so it is set as a raw override.
  backend.addOverride('use_lockfile', true);
  return backend;
}
