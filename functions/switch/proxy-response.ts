import type { SwitchState } from './switch-state';

/**
 * An API Gateway proxy response (REST v1 and HTTP API v2 alike, and Lambda function URLs). The switch store knows
 * nothing of it: only the guard and the check function answer HTTP.
 */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Answered when a switch's state cannot be told apart from an error: never cached by a client or a CDN. */
const baseHeaders = (): Record<string, string> => ({ 'content-type': 'application/json', 'cache-control': 'no-store' });

/** 200 naming the switch while it is active; 503 with its reason, `until` and `Retry-After` while suspended. */
export function switchStateResponse(state: SwitchState, nowMs: number): ProxyResponse {
  if (!state.suspended) {
    return { statusCode: 200, headers: baseHeaders(), body: `{"switch":${JSON.stringify(state.switch)},"suspended":false}` };
  }
  const headers = baseHeaders();
  if (state.untilMs !== undefined) headers['retry-after'] = String(retryAfterSeconds(state.untilMs, nowMs));
  return {
    statusCode: 503,
    headers,
    body: JSON.stringify({ switch: state.switch, suspended: true, reason: state.reason ?? null, until: state.until ?? null }),
  };
}

/** Whole seconds until `untilMs`, rounded up and at least 1: a client retrying after it finds the switch resumed. */
export function retryAfterSeconds(untilMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
}

/** A JSON error response: `{"error": message}`. Messages are written for callers: never a stack trace. */
export function errorResponse(statusCode: 400 | 404 | 500, message: string): ProxyResponse {
  return { statusCode, headers: baseHeaders(), body: JSON.stringify({ error: message }) };
}
