import * as dgram from 'node:dgram';

/** One segment or subsegment document, as the X-Ray SDK sends it to the daemon. */
export interface TraceDocument {
  readonly trace_id?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, unknown>;
  readonly subsegments?: TraceDocument[];
  readonly [field: string]: unknown;
}

export interface XrayDaemonStub {
  /** `127.0.0.1:<port>`, for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  /** Documents received for a trace (by its `1-xxxxxxxx-...` root), in arrival order. */
  documentsFor(traceRoot: string): TraceDocument[];
  readonly received: number;
  stop(): Promise<void>;
}

/**
 * A UDP socket where the X-Ray daemon would listen. The function runs with active tracing as deployed, so the
 * X-Ray SDK's Lambda code path runs as in Lambda; its segments land here instead of nowhere (or in a daemon that
 * is not there), and the sandbox can show what would have been traced. The SDK sends one document per datagram:
 * a JSON header line, then the document.
 */
export async function startXrayDaemonStub(): Promise<XrayDaemonStub> {
  const socket = dgram.createSocket('udp4');
  const byTrace = new Map<string, TraceDocument[]>();
  let received = 0;
  socket.on('message', (message) => {
    received++;
    const text = message.toString('utf8');
    const newline = text.indexOf('\n');
    try {
      const document = JSON.parse(text.slice(newline + 1)) as TraceDocument;
      if (typeof document.trace_id !== 'string') return;
      const documents = byTrace.get(document.trace_id) ?? [];
      documents.push(document);
      byTrace.set(document.trace_id, documents);
    } catch {
      // A datagram the stub cannot read changes nothing for the function: the real daemon would drop it too.
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Never keeps the sandbox alive by itself.
  socket.unref();
  let stopped: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${socket.address().port}`,
    documentsFor: (traceRoot) => byTrace.get(traceRoot) ?? [],
    get received() {
      return received;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return stopped;
    },
  };
}

/**
 * Every (sub)segment in `documents`, depth first, as a trace view would list them: the name, then the
 * annotations, e.g. `readSwitch{switch=global,suspended=false}`.
 */
export function segmentNames(documents: readonly TraceDocument[]): string[] {
  const names: string[] = [];
  const walk = (document: TraceDocument): void => {
    if (document.name) {
      const annotations = Object.entries(document.annotations ?? {}).map(([key, value]) => `${key}=${String(value)}`);
      names.push(annotations.length > 0 ? `${document.name}{${annotations.join(',')}}` : document.name);
    }
    for (const child of document.subsegments ?? []) walk(child);
  };
  documents.forEach(walk);
  return names;
}
