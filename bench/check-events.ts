import { ACTIVE_SWITCH, SUSPENDED_SWITCH } from './bench-table';

/** The Lambda console's default test event: names no switch, so the default switch (active) is checked. */
export const CONSOLE_TEST_EVENT = { key1: 'value1', key2: 'value2', key3: 'value3' };

/** An API Gateway REST proxy event for `GET /switches/{switch}`, reduced to what a check reads. */
export const SUSPENDED_SWITCH_EVENT = {
  resource: '/switches/{switch}',
  path: `/switches/${SUSPENDED_SWITCH}`,
  httpMethod: 'GET',
  pathParameters: { switch: SUSPENDED_SWITCH },
  queryStringParameters: null,
  body: null,
  isBase64Encoded: false,
};

/** What the bare GetItem probe takes. */
export const PROBE_EVENT = { switch: ACTIVE_SWITCH };

/** A handler's answer, as far as the benchmark checks it. */
export interface ProxyResponseLike {
  readonly statusCode?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * What is wrong with a contender's answers to [CONSOLE_TEST_EVENT, SUSPENDED_SWITCH_EVENT], if anything: the first
 * must be 200 naming the active switch, the second 503 naming the suspended one, with a Retry-After within its hour.
 */
export function answerProblems(responses: readonly ProxyResponseLike[]): string[] {
  const problems: string[] = [];
  const [active, suspended] = responses;
  const activeBody = jsonBody(active);
  if (active?.statusCode !== 200 || activeBody?.switch !== ACTIVE_SWITCH || activeBody?.suspended !== false) {
    problems.push(`the console test event got ${JSON.stringify(active).slice(0, 200)}, expected 200 naming "${ACTIVE_SWITCH}" active`);
  }
  const suspendedBody = jsonBody(suspended);
  const retryAfter = Number(suspended?.headers?.['retry-after']);
  if (suspended?.statusCode !== 503 || suspendedBody?.switch !== SUSPENDED_SWITCH || suspendedBody?.suspended !== true || !(retryAfter >= 1 && retryAfter <= 3600)) {
    problems.push(`the suspended switch got ${JSON.stringify(suspended).slice(0, 200)}, expected 503 naming "${SUSPENDED_SWITCH}" with Retry-After`);
  }
  return problems;
}

function jsonBody(response: ProxyResponseLike | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(response?.body ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
