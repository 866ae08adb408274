import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

/** moto's fixed account: the stacks' account guards must name it for the provider to accept moto's credentials. */
export const MOTO_ACCOUNT_ID = '123456789012';
/** Any credentials do for moto; named so that no real ones are ever used. */
export const MOTO_CREDENTIALS = { accessKeyId: 'moto-testing', secretAccessKey: 'moto-testing' } as const;

export interface MotoAvailability {
  readonly available: boolean;
  readonly reason?: string;
}

export function motoAvailability(): MotoAvailability {
  const probe = spawnSync('moto_server', ['--help'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) return { available: false, reason: 'moto_server is not installed (not on PATH; pip install "moto[server]")' };
  return { available: true };
}

export interface MotoServer {
  /** `http://127.0.0.1:<port>`: every AWS service moto emulates answers here. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free loopback port: bound and released, so moto can take it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${endpoint}/moto-api/`, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.setTimeout(2_000, () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

/**
 * Starts `moto_server` on an ephemeral loopback port and waits until it answers. It runs under a small shell that
 * reads its stdin: when this process ends, however it ends, the pipe closes and the shell stops moto, so no
 * emulator outlives the test run.
 */
export async function startMoto(timeoutMs = 60_000): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('sh', ['-c', 'moto_server -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & moto=$!; cat >/dev/null; kill "$moto"; wait "$moto"', 'moto-guard', String(port)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    child.stdin?.end();
    await exited;
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { endpoint, stop };
}
