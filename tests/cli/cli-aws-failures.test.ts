import * as net from 'node:net';
import { useDynalite } from '../support/dynalite';
import { printFigure } from '../support/figures';
import { baseEnv, runCli } from './cli-harness';

/** Over 20 times the quiet figure: a crowded machine slows the CLI's start several times over. */
const REFUSED_BOUND_MS = 15_000;

const dynamo = useDynalite({ table: 'switches' });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never answers: the worst kind of outage. */
async function silentServer(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('suspense CLI: AWS failures', () => {
  it.each([
    ['list', ['list']],
    ['suspend', ['suspend', 'global', '--reason', 'x']],
  ])('exits 1 naming the region and the endpoint when the table does not exist there (%s)', async (_command, args) => {
    const result = await runCli([...args, '--table', 'no-such-table'], { env: baseEnv(dynamo.endpoint) });

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `suspense: DynamoDB: table "no-such-table" not found in region us-east-1 at ${dynamo.endpoint} (ResourceNotFoundException: Requested resource not found)\n`,
    });
  });

  it('exits 1 with a clear line, in bounded time, when nothing listens at the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;

    const result = await runCli(['suspend', 'global', '--reason', 'x', '--table', 'switches'], { env: baseEnv(endpoint) });

    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `suspense: cannot reach DynamoDB at ${endpoint}: connection refused (ECONNREFUSED)\n`,
    });
    // A refused connection is not retried for long: about 0.6 s on a quiet machine (the process's start included).
    printFigure('CLI against a closed port, exit', result.ms, 'ms', REFUSED_BOUND_MS);
    expect(result.ms).toBeLessThan(REFUSED_BOUND_MS);
  });

  it.each([
    ['status', ['status', 'global']],
    ['resume', ['resume', 'global']],
  ])('gives up at --timeout with a clear line when the endpoint never answers (%s)', async (_command, args) => {
    const silent = await silentServer();
    try {
      const result = await runCli([...args, '--table', 'switches', '--timeout', '1.5'], { env: baseEnv(silent.endpoint) });

      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `suspense: no answer from DynamoDB within 1.5s (${silent.endpoint})\n`,
      });
      // It waited for --timeout, and stopped then: about 2 s on a quiet machine, the process's start included; the
      // bound leaves a crowded machine 15 s more.
      expect(result.ms).toBeGreaterThanOrEqual(1500);
      printFigure('CLI giving up at --timeout 1.5 against a silent endpoint, exit', result.ms, 'ms', 16_500);
      expect(result.ms).toBeLessThan(16_500);
    } finally {
      await silent.stop();
    }
  });

  it('exits 1 and names the variable when the endpoint variable is not a URL', async () => {
    const result = await runCli(['list', '--table', 'switches'], { env: baseEnv('not a url') });

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'suspense: the DynamoDB endpoint "not a url" is not a URL (check AWS_ENDPOINT_URL_DYNAMODB)\n' });
  });

  it('exits 1 and names the variable to set when no region is configured', async () => {
    const result = await runCli(['list', '--table', 'switches'], { env: { ...baseEnv(dynamo.endpoint), AWS_REGION: undefined } });

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'suspense: no AWS region: set AWS_REGION or pass --region\n' });
  });

  it('exits 1 with a clear line when no credentials are configured', async () => {
    const result = await runCli(['list', '--table', 'switches'], {
      env: { ...baseEnv(dynamo.endpoint), AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'suspense: no usable AWS credentials: Could not load credentials from any providers\n' });
  });

  it('uses --region when given', async () => {
    const result = await runCli(['list', '--table', 'switches', '--region', 'eu-west-1', '--json'], {
      env: { ...baseEnv(dynamo.endpoint), AWS_REGION: undefined },
    });

    expect(result).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });
});
