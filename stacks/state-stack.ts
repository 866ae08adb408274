import type { Construct } from 'constructs';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { partitionOf } from './config';
import { STATE_KMS_KEY_ALIAS, type StateBackendSettings } from './state-backend';

export interface StateStackProps {
  readonly state: StateBackendSettings;
  /**
   * The accounts whose stacks keep their state in the bucket (each environment's SUSPENSE_<ENV>_ACCOUNT_ID). Those
   * other than the state account are granted, by the bucket and key policies, exactly what Terraform's S3 backend
   * needs: their roles still need the same permissions in their own account. @default [] (only the state account)
   */
  readonly environmentAccountIds?: readonly string[];
  /** Days a replaced state version is kept, so a bad apply can be rolled back. @default 90 */
  readonly noncurrentVersionDays?: number;
}

/**
 * The S3 bucket that holds every other stack's state, and the customer-managed KMS key that encrypts it. It
 * cannot keep its own state in the bucket it creates, so its state is local (`terraform.suspense-state.tfstate`
 * in the repository root): run it once, first.
 */
export class StateStack extends TerraformStack {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id);
    const { bucket: bucketName, region, accountId, keyPrefix } = props.state;
    const partition = partitionOf(region);
    // The state account's own principals are governed by their identity policies alone (the root statement below).
    const otherAccountRoots = [...new Set(props.environmentAccountIds ?? [])]
      .filter((id) => id !== accountId)
      .sort()
      .map((id) => `arn:${partition}:iam::${id}:root`);
    // Relative to the stack's folder (cdktf.out/stacks/<id>), so no checkout path reaches the synthesized JSON.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    new AwsProvider(this, 'aws', {
      region,
      allowedAccountIds: [accountId],
      defaultTags: [{ tags: { project: 'suspense', environment: 'shared', 'managed-by': 'cdktf' } }],
    });

    // Its own key rather than S3's aws/s3 key: who may read state is then also a question of the key's policy,
    // and CloudTrail logs every decryption. Yearly rotation keeps old state readable.
    this.key = new KmsKey(this, 'key', {
      description: `Encrypts the Terraform state in ${bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: keyStatements(`arn:${partition}:iam::${accountId}:root`, otherAccountRoots, region) }),
      lifecycle: { preventDestroy: true },
    });
    const alias = new KmsAlias(this, 'key-alias', { name: STATE_KMS_KEY_ALIAS, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, 'bucket', { bucket: bucketName, lifecycle: { preventDestroy: true } });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketVersioning(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfiguration(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const bucketArn = `arn:${partition}:s3:::${bucketName}`;
    new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          ...(otherAccountRoots.length === 0 ? [] : crossAccountBucketStatements(otherAccountRoots, bucketArn, keyPrefix)),
        ],
      }),
      // S3 rejects a bucket policy while public access settings are still being applied.
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    new TerraformOutput(this, 'state_bucket_name', { value: this.bucket.bucket, description: 'Bucket holding Terraform state' });
    new TerraformOutput(this, 'state_bucket_arn', { value: this.bucket.arn, description: 'ARN of the state bucket' });
    new TerraformOutput(this, 'state_kms_key_arn', { value: this.key.arn, description: 'ARN of the KMS key that encrypts the state' });
    new TerraformOutput(this, 'state_kms_key_alias', { value: alias.name, description: "The key's alias, named by every backend's kms_key_id" });
  }
}

/**
 * The key's policy: the state account administers it through IAM (what AWS's default key policy says), and the
 * environment accounts may use it only through S3 in the bucket's region, only for what the S3 backend does:
 * GenerateDataKey to write a state object, Decrypt to read one (S3 asks KMS for both on the caller's behalf).
 */
function keyStatements(stateAccountRoot: string, otherAccountRoots: readonly string[], region: string): object[] {
  const statements: object[] = [{ Sid: 'StateAccountAdministers', Effect: 'Allow', Principal: { AWS: stateAccountRoot }, Action: 'kms:*', Resource: '*' }];
  if (otherAccountRoots.length > 0) {
    statements.push({
      Sid: 'EnvironmentAccountsUseViaS3',
      Effect: 'Allow',
      Principal: { AWS: [...otherAccountRoots] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    });
  }
  return statements;
}

/** What the S3 backend does in another account's name: list the bucket, and read, write and delete state (and its lock file) under the prefix. */
function crossAccountBucketStatements(otherAccountRoots: readonly string[], bucketArn: string, keyPrefix: string): object[] {
  return [
    { Sid: 'EnvironmentAccountsList', Effect: 'Allow', Principal: { AWS: [...otherAccountRoots] }, Action: 's3:ListBucket', Resource: bucketArn },
    {
      Sid: 'EnvironmentAccountsReadWriteState',
      Effect: 'Allow',
      Principal: { AWS: [...otherAccountRoots] },
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `${bucketArn}/${keyPrefix}/*`,
    },
  ];
}
