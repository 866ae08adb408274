import { InvokeCommand, LambdaClient, ResourceNotFoundException, InvalidRequestContentException } from '@aws-sdk/client-lambda';
import type { LocalHttpServer } from '../../sandbox/http-server';
import { startFunctionUrl } from '../../sandbox/function-url-server';
import { startLambdaInvokeApi } from '../../sandbox/lambda-invoke-api';
import { LOCAL_CREDENTIALS } from '../../sandbox/local-dynamo';
import { ECHO_HANDLER, fixtureFunction, type FixtureFunction } from './fixture-function';

const ROUTER = `
exports.handler = async (event) => {
  if (event.fail) throw new Error('handler failed');
  if (event.rawPath === '/echo') return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
  if (event.rawPath === '/binary') return { statusCode: 201, headers: { 'x-kind': 'bytes' }, cookies: ['a=1', 'b=2; Secure'], body: Buffer.from([0, 1, 2]).toString('base64'), isBase64Encoded: true };
  if (event.rawPath === '/plain-object') return { hello: 'world' };
  if (event.rawPath === '/throw') throw new Error('handler failed');
  console.log('invoked with', JSON.stringify(event));
  return { echoed: event };
};
`;

describe('local Lambda endpoints', () => {
  let fixture: FixtureFunction;
  let lambdaApi: LocalHttpServer;
  let functionUrl: LocalHttpServer;
  let lambda: LambdaClient;

  beforeAll(async () => {
    fixture = fixtureFunction({ 'index.js': ROUTER });
    lambdaApi = await startLambdaInvokeApi(fixture.fn);
    functionUrl = await startFunctionUrl(fixture.fn);
    lambda = new LambdaClient({ endpoint: lambdaApi.endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    lambda.destroy();
    await Promise.all([lambdaApi.stop(), functionUrl.stop()]);
    await fixture.cleanup();
  });

  describe('Lambda Invoke API (AWS_ENDPOINT_URL_LAMBDA)', () => {
    it('invokes the function for the real SDK and returns payload, executed version and the base64 log tail', async () => {
      const output = await lambda.send(
        new InvokeCommand({ FunctionName: 'fixture-function', LogType: 'Tail', Payload: Buffer.from('{"key1":"value1"}') }),
      );

      expect(output.StatusCode).toBe(200);
      expect(output.FunctionError).toBeUndefined();
      expect(output.ExecutedVersion).toBe('$LATEST');
      expect(JSON.parse(Buffer.from(output.Payload ?? []).toString())).toEqual({ echoed: { key1: 'value1' } });
      const tail = JSON.parse(Buffer.from(output.LogResult ?? '', 'base64').toString('utf8').trim());
      expect(tail).toMatchObject({ level: 'INFO', message: 'invoked with {"key1":"value1"}' });
    });

    it('accepts the function as a name with $LATEST, a partial ARN and a full ARN', async () => {
      for (const name of ['fixture-function:$LATEST', '123456789012:function:fixture-function', 'arn:aws:lambda:eu-west-1:123456789012:function:fixture-function']) {
        const output = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
        expect(output.StatusCode).toBe(200);
      }
    });

    it('answers a function error with 200, X-Amz-Function-Error Unhandled and the error payload', async () => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-function', Payload: Buffer.from('{"fail":true}') }));

      expect(output.StatusCode).toBe(200);
      expect(output.FunctionError).toBe('Unhandled');
      const error = JSON.parse(Buffer.from(output.Payload ?? []).toString());
      expect(error).toMatchObject({ errorType: 'Error', errorMessage: 'handler failed' });
      expect(error.trace[0]).toBe('Error: handler failed');
    });

    it('answers DryRun with 204 and runs nothing', async () => {
      const output = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-function', InvocationType: 'DryRun' }));

      expect(output.StatusCode).toBe(204);
    });

    it('answers an unknown function with ResourceNotFoundException naming its ARN, as the SDK surfaces it', async () => {
      const failure = await lambda.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: Buffer.from('{}') })).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ResourceNotFoundException);
      expect(failure).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:no-such-function',
        Type: 'User',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('answers a version the sandbox does not have with ResourceNotFoundException for the qualified ARN', async () => {
      const failure = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-function', Qualifier: '7', Payload: Buffer.from('{}') })).catch((error: unknown) => error);

      expect(failure).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:fixture-function:7' });
    });

    it('answers a payload that is not JSON with InvalidRequestContentException, as the SDK surfaces it', async () => {
      const failure = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-function', Payload: Buffer.from('{"unterminated"') })).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(InvalidRequestContentException);
      expect(failure).toMatchObject({ $metadata: { httpStatusCode: 400 }, Type: 'User' });
      expect((failure as Error).message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
    });

    it('answers a wrong method or an unknown path with 404 UnknownOperationException, never a crash', async () => {
      for (const [method, path] of [
        ['GET', '/2015-03-31/functions/fixture-function/invocations'],
        ['PUT', '/2015-03-31/functions/fixture-function/invocations'],
        ['POST', '/no/such/operation'],
      ] as const) {
        const response = await fetch(`${lambdaApi.endpoint}${path}`, { method, ...(method === 'GET' ? {} : { body: '{}' }) });
        expect(response.status).toBe(404);
        expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
        expect(await response.json()).toMatchObject({ Type: 'User', message: expect.stringContaining(`not ${method} ${path}`) });
      }
    });

    it('answers a function name that is not valid percent-encoding with 400 ValidationException, never a crash', async () => {
      const response = await fetch(`${lambdaApi.endpoint}/2015-03-31/functions/%E0%A4%A/invocations`, { method: 'POST', body: '{}' });

      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(JSON.parse(await response.text()).message).toMatch(/^1 validation error detected: Value '%E0%A4%A' at 'functionName' failed to satisfy constraint/);
    });

    it('answers a request over the 6 MB payload limit with 413 RequestEntityTooLargeException', async () => {
      const response = await fetch(`${lambdaApi.endpoint}/2015-03-31/functions/fixture-function/invocations`, {
        method: 'POST',
        body: `"${'x'.repeat(6 * 1024 * 1024)}"`,
      });

      expect(response.status).toBe(413);
      expect(response.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
      expect(await response.json()).toEqual({ Type: 'User', message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    });
  });

  describe('function URL (FUNCTION_URL)', () => {
    it('sends a payload format 2.0 event: raw path and query, lower-case headers, cookies apart, decoded parameters', async () => {
      const response = await fetch(`${functionUrl.endpoint}/echo?switch=payments&tag=a&tag=b`, {
        method: 'POST',
        headers: { 'X-Custom': 'yes', cookie: 'session=abc; theme=dark', 'content-type': 'application/json' },
        body: '{"hello":"world"}',
      });

      expect(response.status).toBe(200);
      const event = (await response.json()) as { headers: Record<string, string>; requestContext: { domainName: string } };
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/echo',
        rawQueryString: 'switch=payments&tag=a&tag=b',
        cookies: ['session=abc', 'theme=dark'],
        queryStringParameters: { switch: 'payments', tag: 'a,b' },
        requestContext: { http: { method: 'POST', path: '/echo', sourceIp: '127.0.0.1', protocol: 'HTTP/1.1' }, stage: '$default', accountId: 'anonymous' },
        body: '{"hello":"world"}',
        isBase64Encoded: false,
      });
      expect(event.headers['x-custom']).toBe('yes');
      expect(event.headers.cookie).toBeUndefined();
      expect(event.requestContext.domainName).toMatch(/^[a-z0-9]{32}\.lambda-url\.eu-west-1\.on\.aws$/);
    });

    it('base64-encodes a body that is not text', async () => {
      const response = await fetch(`${functionUrl.endpoint}/echo`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([1, 2, 3]) });

      expect(await response.json()).toMatchObject({ body: 'AQID', isBase64Encoded: true });
    });

    it('maps the function\'s response: status, headers, cookies as Set-Cookie, base64 body decoded', async () => {
      const response = await fetch(`${functionUrl.endpoint}/binary`);

      expect(response.status).toBe(201);
      expect(response.headers.get('x-kind')).toBe('bytes');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2; Secure']);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2]));
    });

    it('answers a result without statusCode as a 200 JSON body', async () => {
      const response = await fetch(`${functionUrl.endpoint}/plain-object`);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ hello: 'world' });
    });

    it('answers a function error with 502', async () => {
      const response = await fetch(`${functionUrl.endpoint}/throw`);

      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ Message: 'Internal Server Error' });
    });
  });
});

describe('local Lambda endpoints, Lambda context', () => {
  it('passes X-Amz-Client-Context to the function as context.clientContext', async () => {
    const fixture = fixtureFunction({ 'index.js': ECHO_HANDLER });
    const api = await startLambdaInvokeApi(fixture.fn);
    const lambda = new LambdaClient({ endpoint: api.endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const clientContext = Buffer.from(JSON.stringify({ custom: { caller: 'test' } })).toString('base64');

      const output = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-function', ClientContext: clientContext, Payload: Buffer.from('{}') }));

      expect(JSON.parse(Buffer.from(output.Payload ?? []).toString()).context.clientContext).toEqual({ custom: { caller: 'test' } });
    } finally {
      lambda.destroy();
      await api.stop();
      await fixture.cleanup();
    }
  });
});
