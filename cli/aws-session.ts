/**
 * Running a command against one AWS resource: find its name (flag, stack outputs or environment), make the
 * client, bound the whole command by --timeout, and when anything fails, say where the request went (service,
 * resource, region and endpoint) in the error itself.
 */
import type { CliIo } from './cli-io';
import { AwsRequestFailure, type AwsTarget } from './errors';
import type { CommonOptions, ResourceSource } from './option-values';
import { readStackResource, type StackOutputName, type StackResource } from './stack-outputs';

export type AwsService = AwsTarget['service'];

/** The SDK's own per-service endpoint variable (the SDK reads it; we name it in messages). */
const ENDPOINT_VARIABLE: Readonly<Record<AwsService, string>> = {
  DynamoDB: 'AWS_ENDPOINT_URL_DYNAMODB',
  Lambda: 'AWS_ENDPOINT_URL_LAMBDA',
};

/** What the SDK client offers to tell where its requests go. */
interface ClientConfig {
  readonly config: {
    region(): Promise<string>;
    endpointProvider?(params: { Region: string }): { url: URL };
  };
  destroy(): void;
}

export interface SessionOptions<Client extends ClientConfig> {
  readonly service: AwsService;
  /** What the command acts on, e.g. `table "switches"`. */
  readonly subject: string;
  readonly client: Client;
  readonly options: CommonOptions;
  readonly io: CliIo;
}

/**
 * Runs `work` with the client and one deadline for the whole command (retries and re-reads included), then
 * destroys the client. A failure leaves as an AwsRequestFailure that knows where the request went.
 */
export async function withAwsClient<Client extends ClientConfig, T>(
  session: SessionOptions<Client>,
  work: (client: Client, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { client, options } = session;
  try {
    return await work(client, deadlineSignal(options.timeoutSeconds));
  } catch (error) {
    throw new AwsRequestFailure(await targetOf(session), error);
  } finally {
    client.destroy();
  }
}

/**
 * The resource's name: given directly (checked by the parse), or the stack's output (with the region of its ARN
 * output), checked here with the same rule.
 */
export async function resolveResource(
  source: ResourceSource,
  output: StackOutputName,
  command: string,
  io: CliIo,
  check: (name: string, from: string, command: string) => unknown,
): Promise<StackResource> {
  if (source.from !== 'stack') return { name: source.name };
  const resource = await readStackResource(source.stack, output, command, io.cwd);
  check(resource.name, `stack ${source.stack} output ${output}`, command);
  return resource;
}

/**
 * A note for stderr when --stack names a deployed stack while an endpoint variable sends the requests elsewhere
 * (typically left exported from a sandbox session): the command would act on that endpoint, not on the stack.
 */
export function endpointOverrideNote(source: ResourceSource, service: AwsService, env: NodeJS.ProcessEnv): string | undefined {
  const endpoint = endpointVariable(service, env);
  if (source.from !== 'stack' || endpoint === undefined) return undefined;
  return `suspense: note: names come from stack ${source.stack}, but requests go to ${endpoint.url} (${endpoint.variable} is set)\n`;
}

/** A signal that aborts after `seconds`; AbortSignal.timeout takes whole milliseconds only. */
function deadlineSignal(seconds: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, Math.ceil(seconds * 1000)));
}

function endpointVariable(service: AwsService, env: NodeJS.ProcessEnv): { url: string; variable: string } | undefined {
  const variable = ENDPOINT_VARIABLE[service];
  if (env[variable]) return { url: env[variable] as string, variable };
  if (env.AWS_ENDPOINT_URL) return { url: env.AWS_ENDPOINT_URL, variable: 'AWS_ENDPOINT_URL' };
  return undefined;
}

/** Where the failed request went: the endpoint variable, or the regional endpoint the SDK derives from the region. */
async function targetOf(session: SessionOptions<ClientConfig>): Promise<AwsTarget> {
  const { service, subject, client, options, io } = session;
  const region = await client.config.region().catch(() => undefined);
  const override = endpointVariable(service, io.env);
  const base = { service, subject, timeoutSeconds: options.timeoutSeconds, endpointVariable: override?.variable ?? ENDPOINT_VARIABLE[service] };
  const withRegion = region === undefined ? base : { ...base, region };
  if (override) return { ...withRegion, endpoint: override.url, regional: false };
  let endpoint: string | undefined;
  try {
    endpoint = region === undefined ? undefined : client.config.endpointProvider?.({ Region: region }).url.origin;
  } catch {
    // No rule for this region (the SDK's endpoint rules refuse it): the region alone says enough.
  }
  return { ...withRegion, endpoint: endpoint ?? 'the regional endpoint', regional: true };
}
