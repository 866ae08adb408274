/**
 * A fault-injecting HTTP proxy in front of a local DynamoDB (dynalite): the hardening tests put it between the
 * code under test and the endpoint, switch it between healthy and broken at run time, and count what reached it.
 * It binds 127.0.0.1 on an ephemeral port, keeps no process alive on its own, and stop() ends everything.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the proxy treats the next requests. */
export type FaultMode =
  /** Forwards every request to the endpoint and relays its answer. */
  | { readonly kind: 'pass' }
  /** Accepts each connection and resets it at once (TCP RST): ECONNRESET, no request is read. */
  | { readonly kind: 'refuse' }
  /** Nothing listens on the port (the listener is closed): ECONNREFUSED, as for a host that is down. */
  | { readonly kind: 'down' }
  /** Accepts and reads each request, and never answers. */
  | { readonly kind: 'hang' }
  /** Answers each request with DynamoDB's HTTP 400 throttling error instead of forwarding it. */
  | { readonly kind: 'throttle'; readonly error: ThrottlingError }
  /** Forwards each request after `delayMs`, unless the client gave up (closed the connection) meanwhile. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /**
   * Forwards each request and lets it take effect, then drops the connection instead of answering: every request
   * when `every` is 1 (the default), else every `every`-th request met in this mode (the others pass).
   * `whileLost` runs after the endpoint answered and before the connection drops: what others do meanwhile.
   */
  | { readonly kind: 'lose-answers'; readonly every?: number; readonly whileLost?: (request: ProxiedRequest) => Promise<void> };

export type FaultKind = FaultMode['kind'];

/** The modes that act on requests rather than connections: they can be scheduled by setModeAfter. */
export type RequestFaultMode = Exclude<FaultMode, { readonly kind: 'refuse' | 'down' }>;

/** The two throttling errors DynamoDB answers with. */
export type ThrottlingError = 'ProvisionedThroughputExceededException' | 'ThrottlingException';

/** The `__type` DynamoDB puts in a throttling error's JSON body. */
export const THROTTLING_ERROR_TYPES: Record<ThrottlingError, string> = {
  ProvisionedThroughputExceededException: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  ThrottlingException: 'com.amazon.coral.availability#ThrottlingException',
};

/** Named modes, so that tests read `proxy.setMode(FAULTS.hang)`. */
export const FAULTS = {
  pass: { kind: 'pass' },
  refuse: { kind: 'refuse' },
  down: { kind: 'down' },
  hang: { kind: 'hang' },
  throttle: { kind: 'throttle', error: 'ProvisionedThroughputExceededException' },
  throttlingException: { kind: 'throttle', error: 'ThrottlingException' },
  loseAnswers: { kind: 'lose-answers' },
  loseEveryNthAnswer: (every: number): FaultMode => ({ kind: 'lose-answers', every }),
  slow: (delayMs: number): FaultMode => ({ kind: 'slow', delayMs }),
} as const satisfies Record<string, FaultMode | ((value: number) => FaultMode)>;

/** One request the proxy read, and what became of it. */
export interface ProxiedRequest {
  /** The DynamoDB operation from the `X-Amz-Target` header (`GetItem`, `UpdateItem`...), or `unknown`. */
  readonly operation: string;
  /** The mode the request met. */
  readonly mode: FaultKind;
  /** The request's JSON body as sent (the table, the key, the expressions). */
  readonly body: string;
  /** The endpoint's HTTP status, when the request reached it. */
  upstreamStatus?: number;
  /** True when the endpoint answered and the proxy dropped the answer (`lose-answers`). */
  answerLost?: boolean;
  /** True when a `slow` request's delay ended after its client had gone: it never reached the endpoint. */
  dropped?: boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it as AWS_ENDPOINT_URL_DYNAMODB or a client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly mode: FaultMode;
  /** From now on, treat requests as `mode` says. Leaving `down` listens again on the same port. */
  setMode(mode: FaultMode): Promise<void>;
  /**
   * Keeps the current mode for the next `requests` requests, then switches to `next`: for code that runs a
   * sequence of calls on its own (a child process), where the test cannot switch between two of them.
   */
  setModeAfter(requests: number, next: RequestFaultMode): void;
  /** Requests read per operation since the start or the last reset(), whatever became of them. */
  counts(): Record<string, number>;
  /** Requests read for `operation` since the start or the last reset(). */
  count(operation: string): number;
  /** Every request read since the start or the last reset(), in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Connections reset on arrival in `refuse` mode since the start or the last reset(). */
  readonly refusedConnections: number;
  reset(): void;
  stop(): Promise<void>;
}

const noop = async (): Promise<void> => undefined;

/** The operation a DynamoDB JSON request names, from `X-Amz-Target: DynamoDB_20120810.GetItem`. */
export function operationOf(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (!value) return 'unknown';
  const dot = value.lastIndexOf('.');
  return dot === -1 ? value : value.slice(dot + 1);
}

/**
 * Starts a proxy in front of `upstreamEndpoint` (`http://127.0.0.1:<port>`), passing requests through until told
 * otherwise.
 */
export async function startFaultProxy(upstreamEndpoint: string, initialMode: FaultMode = FAULTS.pass): Promise<FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let mode: FaultMode = initialMode;
  let scheduled: { remaining: number; next: RequestFaultMode } | undefined;
  /** Requests met in the current lose-answers mode, for `every`. */
  let metInMode = 0;
  let requests: ProxiedRequest[] = [];
  let refusedConnections = 0;
  let listening = false;
  let stopped = false;

  const server = http.createServer({ keepAlive: true }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
    request.on('error', () => request.socket.destroy());
  });
  server.on('connection', (socket: Socket) => {
    socket.unref();
    socket.on('error', () => undefined);
    if (mode.kind === 'refuse') {
      refusedConnections++;
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  function handle(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): void {
    const current = mode;
    if (scheduled && --scheduled.remaining <= 0) {
      metInMode = 0;
      mode = scheduled.next;
      scheduled = undefined;
    }
    const record: ProxiedRequest = { operation: operationOf(request.headers['x-amz-target']), mode: current.kind, body: body.toString('utf8') };
    requests.push(record);
    switch (current.kind) {
      case 'pass':
        return forward(request, response, body, record);
      case 'lose-answers':
        return forward(request, response, body, record, ++metInMode % (current.every ?? 1) === 0 ? (current.whileLost ?? noop) : undefined);
      case 'refuse':
      case 'down':
        // A keep-alive connection opened before the outage: the server is gone, so is the connection.
        request.socket.resetAndDestroy();
        return;
      case 'hang':
        // Never answered; stop() or the client's own timeout ends the connection.
        return;
      case 'throttle': {
        const payload = JSON.stringify({ __type: THROTTLING_ERROR_TYPES[current.error], message: 'Rate of requests exceeds the allowed throughput (injected by the fault proxy).' });
        response.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(payload),
          'x-amzn-requestid': `fault-proxy-${requests.length}`,
        });
        response.end(payload);
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          // A client that timed out has closed its connection: its request is lost with it, as on a real network.
          if (!request.socket.destroyed) forward(request, response, body, record);
          else record.dropped = true;
        }, current.delayMs);
        timer.unref();
        timers.add(timer);
        return;
      }
    }
  }

  /** With `loseAnswer`, the endpoint's answer is dropped after `loseAnswer()` settles. */
  function forward(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer, record: ProxiedRequest, loseAnswer?: (request: ProxiedRequest) => Promise<void>): void {
    const outgoing = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent: upstreamAgent,
      },
      (answer) => {
        record.upstreamStatus = answer.statusCode;
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (loseAnswer) {
            record.answerLost = true;
            const drop = (): void => void request.socket.destroy();
            loseAnswer(record).then(drop, drop);
            return;
          }
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          const payload = Buffer.concat(chunks);
          headers['content-length'] = String(payload.length);
          response.writeHead(answer.statusCode ?? 502, headers);
          response.end(payload);
        });
        answer.on('error', () => request.socket.destroy());
      },
    );
    outgoing.on('error', () => request.socket.destroy());
    outgoing.end(body);
  }

  async function listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    listening = true;
  }

  async function closeListener(): Promise<void> {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    dropConnections();
    await closed;
  }

  function dropConnections(): void {
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
  }

  await listen(0);
  const port = (server.address() as AddressInfo).port;
  if (initialMode.kind === 'down') await closeListener();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    async setMode(next) {
      if (stopped) throw new Error('the fault proxy is stopped');
      scheduled = undefined;
      metInMode = 0;
      mode = next;
      if (next.kind === 'down') await closeListener();
      else if (!listening) await listen(port);
      // An endpoint that breaks takes its open connections with it; without this, pooled keep-alive connections
      // would keep reaching the old behaviour.
      if (next.kind === 'refuse' || next.kind === 'down') {
        dropConnections();
        await pollPhasePassed();
      }
    },
    setModeAfter(count, next) {
      if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`setModeAfter needs a whole number of requests from 1, got ${count}`);
      if (mode.kind === 'refuse' || mode.kind === 'down') throw new Error(`setModeAfter counts requests, and none arrive in ${mode.kind} mode`);
      scheduled = { remaining: count, next };
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const request of requests) counts[request.operation] = (counts[request.operation] ?? 0) + 1;
      return counts;
    },
    count: (operation) => requests.filter((request) => request.operation === operation).length,
    get requests() {
      return requests;
    },
    get refusedConnections() {
      return refusedConnections;
    },
    reset() {
      requests = [];
      refusedConnections = 0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeListener();
      dropConnections();
      upstreamAgent.destroy();
    },
  };
}

/**
 * Lets this process read what is already on its loopback sockets: clients see their pooled connections close
 * (before their next request), the proxy sees requests a client wrote before it gave up. On loopback the bytes
 * reach the kernel at once, but the process reads them only in a poll phase of the event loop: a short timer alone
 * is not enough, because on a busy machine it can be due before the loop polls again. An immediate runs after the
 * poll phase of its turn of the loop, so two chained ones guarantee a whole poll phase in between, and a third
 * lets the handlers of what was read run.
 */
export async function pollPhasePassed(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}
