import { Construct } from 'constructs';
import { AssetType, Lazy, TerraformAsset, type TerraformResource } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { buildFunctionArchive, type FunctionArchive } from '../bundling/function-archive';
import type { NodeRuntime } from '../bundling/esbuild-bundle';
import { FUNCTION_DEFAULTS } from '../defaults';
import { PROJECT_ROOT } from '../project-root';

export interface NodejsFunctionProps {
  readonly functionName: string;
  /** The handler module, relative to the repository root; it must export `handler`. */
  readonly entry: string;
  /** Account, region and partition of the stack: the log policy names the log group's exact ARN. */
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** @default FUNCTION_DEFAULTS.runtime ('nodejs22.x') */
  readonly runtime?: NodeRuntime;
  /** @default FUNCTION_DEFAULTS.memorySize (640) */
  readonly memorySize?: number;
  /** @default FUNCTION_DEFAULTS.timeoutSeconds (5) */
  readonly timeoutSeconds?: number;
  /** @default FUNCTION_DEFAULTS.architecture ('arm64') */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default FUNCTION_DEFAULTS.logRetentionDays (30) */
  readonly logRetentionDays?: number;
  /**
   * Concurrent executions reserved for the function: its ceiling, and a share of the account's concurrency no
   * other function can take. A whole number of at least 1 (0 would throttle every invocation).
   * @default none: the function shares the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /** At most MAX_ENVIRONMENT_BYTES, names and values together (Lambda's limit; checked here, not at apply). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Lambda's limit on a function's environment variables: all names and values together, in bytes. */
export const MAX_ENVIRONMENT_BYTES = 4096;

/** The size Lambda counts: every name and value, UTF-8. */
function environmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce((total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}

/**
 * A Node.js Lambda function built from TypeScript at synth time, with its own role, log group and X-Ray
 * tracing: what aws-cdk's NodejsFunction is to CloudFormation. The role may write only to the function's log
 * group and send traces; anything else is granted explicitly (see SwitchTable.grantRead).
 */
export class NodejsFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly archive: FunctionArchive;
  private readonly environment: Record<string, string>;
  private readonly functionName: string;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const runtime = props.runtime ?? FUNCTION_DEFAULTS.runtime;
    const reserved = props.reservedConcurrentExecutions;
    if (reserved !== undefined && !(Number.isInteger(reserved) && reserved >= 1)) {
      throw new Error(`NodejsFunction ${props.functionName}: reservedConcurrentExecutions must be a whole number of at least 1, got ${reserved}`);
    }
    this.functionName = props.functionName;
    this.environment = {};
    for (const [name, value] of Object.entries(props.environment ?? {})) this.addEnvironment(name, value);

    this.archive = buildFunctionArchive({
      entry: props.entry,
      runtime,
      projectRoot: PROJECT_ROOT,
    });
    // A zip built by us rather than AssetType.ARCHIVE: cdktf's archiver stamps file times into the zip.
    const asset = new TerraformAsset(this, 'code', {
      path: this.archive.zipFile,
      type: AssetType.FILE,
      assetHash: this.archive.sha256Hex,
    });

    // Created here rather than by Lambda on first write, so that retention applies and Terraform owns it.
    const logGroupName = `/aws/lambda/${props.functionName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? FUNCTION_DEFAULTS.logRetentionDays,
    });
    const logGroupArn = `arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:${logGroupName}`;

    this.role = new IamRole(this, 'role', {
      name: props.functionName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    const logsPolicy = new IamRolePolicy(this, 'logs-policy', {
      name: `${props.functionName}-logs`,
      role: this.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroupArn}:*`] },
        ],
      }),
    });
    const tracingPolicy = new IamRolePolicy(this, 'tracing-policy', {
      name: `${props.functionName}-tracing`,
      role: this.role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          // X-Ray's segment APIs support no resource-level permissions: "*" is the only resource they accept.
          { Sid: 'SendTraces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
        ],
      }),
    });

    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: this.role.arn,
      runtime,
      architectures: [props.architecture ?? FUNCTION_DEFAULTS.architecture],
      handler: 'index.handler',
      memorySize: props.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
      ...(reserved === undefined ? {} : { reservedConcurrentExecutions: reserved }),
      filename: asset.path,
      sourceCodeHash: this.archive.sha256Base64,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      environment: { variables: Lazy.anyValue({ produce: () => ({ ...this.environment }) }) as unknown as Record<string, string> },
      // Without these the function can start before its log group exists (Lambda then creates one without
      // retention, and Terraform's create fails on the clash) or before its policies apply (first calls fail).
      dependsOn: [this.logGroup, logsPolicy, tracingPolicy],
    });
  }

  addEnvironment(name: string, value: string): void {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name "${name}"`);
    const environment = { ...this.environment, [name]: value };
    const bytes = environmentBytes(environment);
    if (bytes > MAX_ENVIRONMENT_BYTES) {
      const sizes = Object.entries(environment)
        .map(([key, text]) => `${key} ${Buffer.byteLength(key) + Buffer.byteLength(text)}`)
        .join(', ');
      throw new Error(
        `NodejsFunction ${this.functionName}: its environment variables would take ${bytes} bytes (names and values, UTF-8), over Lambda's limit of ${MAX_ENVIRONMENT_BYTES} (the apply would fail): ${sizes}`,
      );
    }
    this.environment[name] = value;
  }

  addDependency(dependency: TerraformResource): void {
    // A bare address (`type.name`), the form depends_on takes; `fqn` would render as an interpolation.
    const address = `${dependency.terraformResourceType}.${dependency.friendlyUniqueId}`;
    this.function.dependsOn = [...(this.function.dependsOn ?? []), address];
  }
}
