import { errorResponse, switchStateResponse, type ProxyResponse } from '../switch/proxy-response';
import { describeError, writeLogLine, type LogLine, type LogWriter } from '../switch/structured-log';
import { UndeclaredSwitchError, type SwitchStore } from '../switch/switch-store';
import { switchRequestFrom } from './check-event';

/** What the check needs; `problem` when the environment could not configure it. */
export type CheckSetup =
  | { readonly ok: true; readonly store: SwitchStore; readonly defaultSwitch: string }
  | { readonly ok: false; readonly problem: string };

export interface CheckDependencies {
  readonly setup: CheckSetup;
  /** @default one JSON line on stdout */
  readonly log?: LogWriter;
  /** Milliseconds since the epoch, for Retry-After. @default Date.now */
  readonly clock?: () => number;
}

/** The parts of the Lambda context the check reads; the benchmark and tests may pass none. */
export interface CheckContext {
  readonly awsRequestId?: string;
}

export type CheckHandler = (event: unknown, context?: CheckContext) => Promise<ProxyResponse>;

const MISCONFIGURED = 'the check function is misconfigured; its log says how';
const INTERNAL_ERROR = 'internal error';

/**
 * The check: which switch the event names, its state from the store, and the answer in the API Gateway proxy
 * format (200 active, 503 suspended, 400 unusable event, 404 a switch outside SUSPENSE_SWITCHES, 500 otherwise).
 * Logs exactly one JSON line per invocation with the switch, the status, where the state came from and the latency.
 */
export function createCheckHandler(dependencies: CheckDependencies): CheckHandler {
  const { setup } = dependencies;
  const log = dependencies.log ?? writeLogLine;
  const clock = dependencies.clock ?? Date.now;

  return async function checkHandler(event, context) {
    const startedAt = performance.now();
    const requestId = typeof context?.awsRequestId === 'string' ? context.awsRequestId : undefined;
    let response: ProxyResponse;
    let outcome: { readonly level: LogLine['level']; readonly [field: string]: unknown };
    try {
      if (!setup.ok) {
        response = errorResponse(500, MISCONFIGURED);
        outcome = { level: 'error', error: setup.problem };
      } else {
        const request = switchRequestFrom(event, setup.defaultSwitch);
        if (!request.ok) {
          response = errorResponse(400, request.problem);
          outcome = { level: 'info', error: request.problem };
        } else {
          const state = await setup.store.readSwitch(request.switch);
          response = switchStateResponse(state, clock());
          outcome = { level: 'info', switch: state.switch, suspended: state.suspended, source: state.source };
        }
      }
    } catch (error) {
      if (error instanceof UndeclaredSwitchError) {
        response = errorResponse(404, error.message);
        outcome = { level: 'info', switch: error.switchName, error: error.message };
      } else {
        response = errorResponse(500, INTERNAL_ERROR);
        outcome = { level: 'error', error: describeError(error), stack: error instanceof Error ? error.stack : undefined };
      }
    }
    const latencyMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
    const { level, ...fields } = outcome;
    log({ level, msg: 'check', requestId, statusCode: response.statusCode, ...fields, latencyMs });
    return response;
  };
}
