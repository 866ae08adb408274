/** Log levels Lambda's advanced logging controls accept. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** A Lambda function as the synthesized stack declares it: everything the local runtime needs to run it faithfully. */
export interface FunctionDefinition {
  readonly stackName: string;
  readonly functionName: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Lambda runtime identifier, e.g. `nodejs22.x`. */
  readonly runtime: string;
  readonly architecture: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  /** The function's own environment variables, exactly as the stack sets them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly logFormat: 'JSON' | 'Text';
  /** Filters the function's console output (JSON log format only). */
  readonly applicationLogLevel: LogLevel;
  /** Filters the runtime's own records (START, REPORT, ...) (JSON log format only). */
  readonly systemLogLevel: LogLevel;
  readonly tracingMode: 'Active' | 'PassThrough';
  /** The deployment package cdktf wrote into the stack's output. */
  readonly zipFile: string;
  /** Base64 SHA-256 of the package: Terraform's `source_code_hash`, Lambda's CodeSha256. */
  readonly sourceCodeHash: string;
}

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export function functionArn(definition: Pick<FunctionDefinition, 'partition' | 'region' | 'accountId' | 'functionName'>): string {
  return `arn:${definition.partition}:lambda:${definition.region}:${definition.accountId}:function:${definition.functionName}`;
}
