import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { withAwsClient, type AwsService } from '../../cli/aws-session';
import type { CliIo } from '../../cli/cli-io';
import { AwsRequestFailure, CliFailure, describeFailure, EXIT, UsageError, type AwsTarget } from '../../cli/errors';
import { SwitchInputError } from '../../functions/switch/switch-input';
import { SwitchConflictError, SwitchWriteUnconfirmedError } from '../../functions/switch/switch-write-errors';

const TARGET: AwsTarget = {
  service: 'DynamoDB',
  subject: 'table "switches"',
  region: 'eu-west-1',
  endpoint: 'http://127.0.0.1:8000',
  regional: false,
  endpointVariable: 'AWS_ENDPOINT_URL_DYNAMODB',
  timeoutSeconds: 10,
};

/** An error as Node reports a failed connection or lookup. */
function networkError(code: string): Error {
  return Object.assign(new Error(`${code} something`), { code });
}

function io(env: NodeJS.ProcessEnv): CliIo {
  return { stdout: () => undefined, stderr: () => undefined, env, cwd: process.cwd(), now: Date.now };
}

/** What the CLI says when `error` ends a command run on a real SDK client for `service` in `region`. */
async function failureThrough(service: AwsService, region: string, env: NodeJS.ProcessEnv, error: Error) {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const client = service === 'DynamoDB' ? new DynamoDBClient({ region, credentials }) : new LambdaClient({ region, credentials });
  const session = { service, subject: 'the resource', client, options: { json: false, timeoutSeconds: 3 }, io: io(env) };
  const thrown = await withAwsClient(session, () => Promise.reject(error)).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(AwsRequestFailure);
  return describeFailure(thrown);
}

describe('CLI failures', () => {
  it.each([
    ['a conflicting write', new SwitchConflictError('global', 1, 3, 2), 'switch "global" is at version 3, not the expected 2; nothing written'],
    ['an unconfirmed write', new SwitchWriteUnconfirmedError('global', new Error('reset')), 'could not confirm whether the write to switch "global" was applied (Error: reset); check its status'],
    ['a CLI failure', new CliFailure('terraform is not installed'), 'terraform is not installed'],
  ])('matches %s by its class and exits 1 with its message, also when it ends a request', (_what, error, message) => {
    expect(describeFailure(error)).toEqual({ exitCode: EXIT.failure, message, unexpected: false });
    expect(describeFailure(new AwsRequestFailure(TARGET, error))).toEqual({ exitCode: EXIT.failure, message, unexpected: false });
  });

  it('exits 2 for bad input, from the parse or from the library', () => {
    expect(describeFailure(new UsageError('missing command'))).toEqual({ exitCode: EXIT.usage, message: 'missing command (see "suspense --help")', unexpected: false });
    expect(describeFailure(new UsageError('bad', 'list')).message).toBe('bad (see "suspense list --help")');
    expect(describeFailure(new AwsRequestFailure(TARGET, new SwitchInputError('name', 'invalid switch name')))).toEqual({
      exitCode: EXIT.usage,
      message: 'invalid switch name',
      unexpected: false,
    });
  });

  it('does not take an error for a library error because it borrows the name', () => {
    const impostor = Object.assign(new Error('nothing written'), { name: 'SwitchConflictError' });

    expect(describeFailure(impostor)).toEqual({ exitCode: EXIT.failure, message: 'unexpected error: SwitchConflictError: nothing written', unexpected: true });
  });

  it('names the region and the regional host when it cannot be reached (a mistyped region)', async () => {
    const failure = await failureThrough('DynamoDB', 'eu-wset-1', {}, networkError('ENOTFOUND'));

    expect(failure).toEqual({
      exitCode: EXIT.failure,
      message: 'cannot reach DynamoDB at https://dynamodb.eu-wset-1.amazonaws.com (region eu-wset-1): host not found (ENOTFOUND)',
      unexpected: false,
    });
  });

  it('names the region and the regional host when nothing answers in time', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });

    const failure = await failureThrough('Lambda', 'ap-southeast-2', {}, timeout);

    expect(failure.message).toBe('no answer from Lambda within 3s (https://lambda.ap-southeast-2.amazonaws.com, region ap-southeast-2)');
  });

  it('names the region and the endpoint when the resource is not there (the usual sign of the wrong region)', async () => {
    const notFound = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException', $fault: 'client' });

    const regional = await failureThrough('DynamoDB', 'us-east-2', {}, notFound);
    const local = await failureThrough('DynamoDB', 'us-east-2', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }, notFound);

    expect(regional.message).toBe(
      'DynamoDB: the resource not found in region us-east-2 at https://dynamodb.us-east-2.amazonaws.com (ResourceNotFoundException: Requested resource not found)',
    );
    expect(local.message).toBe('DynamoDB: the resource not found in region us-east-2 at http://127.0.0.1:8000 (ResourceNotFoundException: Requested resource not found)');
  });

  it('names the endpoint variable, not a region, when an endpoint variable redirects the requests', async () => {
    const refused = await failureThrough('Lambda', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, networkError('ECONNREFUSED'));

    expect(refused.message).toBe('cannot reach Lambda at http://127.0.0.1:9: connection refused (ECONNREFUSED)');
  });
});
