/**
 * Tracing for the switch check. The only module in the repository that knows the X-Ray SDK: moving to
 * OpenTelemetry (aws-xray-sdk-core is at end of life upstream) means rewriting this file and nothing else.
 */
import type * as XRaySdk from 'aws-xray-sdk-core';
import type { SwitchSource } from './switch-state';

/** What one switch read is recorded as: the annotations a trace search filters on. */
export interface TracedRead {
  readonly switch: string;
  readonly suspended: boolean;
  readonly source: SwitchSource;
}

export interface SwitchTracer {
  /** Records every request `client` sends as a subsegment (service, operation, table, status, retries). */
  instrumentClient<T extends InstrumentableClient>(client: T): T;
  /** Records one switch read, with the switch, its state and where the state came from as annotations. */
  recordRead(read: TracedRead): void;
}

/** The part of an AWS SDK v3 client that instrumentation touches. */
export interface InstrumentableClient {
  readonly middlewareStack: { remove: unknown; use: unknown };
  readonly config: unknown;
}

/** Name of the subsegment each switch read is recorded as. */
export const READ_SUBSEGMENT_NAME = 'readSwitch';

export const noTracing: SwitchTracer = {
  instrumentClient: (client) => client,
  recordRead: () => undefined,
};

/**
 * Whether this process is a Lambda execution environment, where X-Ray's daemon listens and the runtime sets the
 * trace header. Everywhere else (tests, the CLI, the sandbox, the benchmark's non-Lambda runs) tracing is off,
 * so that no X-Ray code loads and no "missing context" noise is printed.
 */
export function isLambdaEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_XRAY_SDK_ENABLED === 'false') return false;
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME) && Boolean(env.LAMBDA_TASK_ROOT || env._X_AMZN_TRACE_ID);
}

let tracer: SwitchTracer | undefined;

/** The tracer of this execution environment, decided once: X-Ray inside Lambda, nothing elsewhere. */
export function switchTracer(): SwitchTracer {
  tracer ??= isLambdaEnvironment() ? xrayTracer(loadXRay()) : noTracing;
  return tracer;
}

function loadXRay(): typeof XRaySdk {
  // Required here rather than imported at the top: outside Lambda the SDK (cls-hooked, async hooks, a UDP
  // emitter) never loads, and the bundle's start-up does not pay for evaluating it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const xray = require('aws-xray-sdk-core') as typeof XRaySdk;
  // The runtime sets no trace header during init or in a handler invoked without active tracing; a missing
  // context must never print an error per request or break the check.
  xray.setContextMissingStrategy('IGNORE_ERROR');
  return xray;
}

function xrayTracer(xray: typeof XRaySdk): SwitchTracer {
  return {
    instrumentClient: (client) => xray.captureAWSv3Client(client),
    recordRead(read) {
      // X-Ray sends nothing for an unsampled invocation, and most are unsampled (the default rule takes the first
      // request each second and 5% of the rest). Asking the SDK for the segment would still cost more than a cached
      // check itself (it re-parses each new trace header and draws random ids), so the header's decision is read
      // here and the SDK is asked only when the read will be sent.
      if (!isSampledTraceHeader(currentTraceHeader())) return;
      try {
        const parent = xray.getSegment();
        if (!parent) return;
        const subsegment = parent.notTraced
          ? parent.addNewSubsegmentWithoutSampling(READ_SUBSEGMENT_NAME)
          : parent.addNewSubsegment(READ_SUBSEGMENT_NAME);
        subsegment.addAnnotation('switch', read.switch);
        subsegment.addAnnotation('suspended', read.suspended);
        subsegment.addAnnotation('source', read.source);
        subsegment.close();
      } catch {
        // Tracing is an observer: a failure to record must never change the answer.
      }
    },
  };
}

/** The current invocation's trace header, where the X-Ray SDK looks for it: Lambda's invoke store, then the environment. */
function currentTraceHeader(): string | undefined {
  const lambda = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda;
  return lambda?.InvokeStore?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID;
}

/**
 * Whether a trace header (`Root=...;Parent=...;Sampled=1`) marks its trace sampled, read as the X-Ray SDK reads it:
 * fields split on `;` and `=`, keys trimmed and case-insensitive, the last `Sampled` wins, and only a non-zero
 * number means sampled.
 */
export function isSampledTraceHeader(header: string | undefined): boolean {
  if (!header) return false;
  // Scanned with indexOf rather than split: this runs on every check, and the split form costs half a microsecond.
  let sampled: string | undefined;
  for (let start = 0; start <= header.length; ) {
    const fieldEnd = endOf(header, ';', start, header.length);
    const equals = header.indexOf('=', start);
    if (equals !== -1 && equals < fieldEnd && equals > start) {
      const valueEnd = endOf(header, '=', equals + 1, fieldEnd);
      if (valueEnd > equals + 1 && header.slice(start, equals).trim().toLowerCase() === 'sampled') {
        sampled = header.slice(equals + 1, valueEnd).trim();
      }
    }
    start = fieldEnd + 1;
  }
  // No radix, as the SDK calls it: "0x1" counts as sampled there too.
  return sampled !== undefined && Boolean(Number.parseInt(sampled));
}

/** Index of the next `separator` in `text` from `from`, but no further than `limit`. */
function endOf(text: string, separator: string, from: number, limit: number): number {
  const index = text.indexOf(separator, from);
  return index === -1 || index > limit ? limit : index;
}
