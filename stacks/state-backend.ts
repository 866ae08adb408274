import type { Construct } from 'constructs';
import { S3Backend } from 'cdktf';
import { DEFAULT_REGION } from './config';

/** Where every environment stack keeps its Terraform state. */
export interface StateBackendSettings {
  /** Bucket created by the `suspense-state` stack. @default 'suspense-terraform-state' */
  readonly bucket: string;
  /** Region of the bucket. @default 'eu-west-1' */
  readonly region: string;
  /** Key prefix; each stack's state is `<prefix>/<stack>.tfstate`. @default 'suspense' */
  readonly keyPrefix: string;
}

/** Environment variables, then cdktf context (`cdktf.json` "context" or `--context`), then defaults. */
export function stateBackendSettings(scope: Construct, env: NodeJS.ProcessEnv = process.env): StateBackendSettings {
  const pick = (variable: string, contextKey: string, fallback: string): string =>
    env[variable] || (scope.node.tryGetContext(contextKey) as string | undefined) || fallback;
  const settings = {
    bucket: pick('SUSPENSE_STATE_BUCKET', 'stateBucket', 'suspense-terraform-state'),
    region: pick('SUSPENSE_STATE_REGION', 'stateRegion', DEFAULT_REGION),
    keyPrefix: pick('SUSPENSE_STATE_KEY_PREFIX', 'stateKeyPrefix', 'suspense').replace(/^\/+|\/+$/g, ''),
  };
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(settings.bucket)) {
    throw new Error(`SUSPENSE_STATE_BUCKET "${settings.bucket}" is not a valid S3 bucket name`);
  }
  return settings;
}

/** S3 remote state with encryption and Terraform's native lock file (no DynamoDB lock table). */
export function useS3Backend(stack: Construct, stackName: string, settings: StateBackendSettings): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: settings.bucket,
    region: settings.region,
    key: `${settings.keyPrefix}/${stackName}.tfstate`,
    encrypt: true,
  });
  // cdktf 0.21's S3Backend predates `use_lockfile` (Terraform 1.10+), so it is set as a raw override.
  backend.addOverride('use_lockfile', true);
  return backend;
}
