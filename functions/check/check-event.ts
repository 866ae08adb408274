import { SWITCH_NAME_PATTERN } from '../switch/schema';

/** The switch an event asks about, or why the event cannot be answered (a 400). */
export type SwitchRequest = { readonly ok: true; readonly switch: string } | { readonly ok: false; readonly problem: string };

/** Function URL and HTTP API requests without a route parameter may name the switch in the path. */
const SWITCH_PATH_PREFIX = '/switches/';

/**
 * Whether every path of the endpoint reaches the function: a function URL, or an HTTP API's `$default` route.
 * Then the path is the caller's only way to name a switch, and a path that names none must not quietly check the
 * default switch (a typo would answer 200 for a suspended switch). Behind a specific route the API has already
 * matched the path, and the handler leaves it alone.
 */
function servesEveryPath(event: Record<string, unknown>): boolean {
  const routeKey = ownField(event, 'routeKey');
  return routeKey === undefined || routeKey === '$default';
}

/**
 * The switch an invocation names: path parameter `switch`, else a function URL / HTTP API `$default` path
 * `/switches/<name>` (other paths there are a 400), else query parameter `switch`, else `defaultSwitch`. Accepts API Gateway REST (v1) and
 * HTTP API (v2) proxy events, function URL events and any other JSON object (the Lambda console's test event
 * names no switch, so it checks the default). Reads only own properties, so a hostile event cannot reach the
 * prototype chain.
 */
export function switchRequestFrom(event: unknown, defaultSwitch: string): SwitchRequest {
  if (!isObject(event)) {
    return { ok: false, problem: `the event must be a JSON object (an API Gateway, function URL or console test event), got ${kindOf(event)}` };
  }
  const pathParameters = ownField(event, 'pathParameters');
  if (!isAbsent(pathParameters) && !isObject(pathParameters)) return { ok: false, problem: `pathParameters must be an object, got ${kindOf(pathParameters)}` };
  const fromPathParameter = isObject(pathParameters) ? ownField(pathParameters, 'switch') : undefined;
  if (fromPathParameter !== undefined) return named(fromPathParameter, 'path parameter "switch"');

  const rawPath = ownField(event, 'rawPath');
  // Repeated slashes are one, as most HTTP servers treat them: `${FUNCTION_URL}/switches/x` is a common spelling.
  const path = typeof rawPath === 'string' && servesEveryPath(event) ? rawPath.replace(/\/{2,}/g, '/') : undefined;
  if (path !== undefined && path !== '' && path !== '/' && !path.startsWith(SWITCH_PATH_PREFIX)) {
    return { ok: false, problem: `no switch at the path ${quote(path)}: use / (with ?switch=<name>) or ${SWITCH_PATH_PREFIX}<name>` };
  }
  if (path !== undefined && path.startsWith(SWITCH_PATH_PREFIX)) {
    let segment = path.slice(SWITCH_PATH_PREFIX.length);
    if (segment.endsWith('/')) segment = segment.slice(0, -1);
    try {
      segment = decodeURIComponent(segment);
    } catch {
      return { ok: false, problem: `the path ${quote(path)} is not valid percent-encoding` };
    }
    return named(segment, `the path ${SWITCH_PATH_PREFIX}<name>`);
  }

  const query = ownField(event, 'queryStringParameters');
  if (!isAbsent(query) && !isObject(query)) return { ok: false, problem: `queryStringParameters must be an object, got ${kindOf(query)}` };
  const fromQuery = isObject(query) ? ownField(query, 'switch') : undefined;
  if (fromQuery !== undefined) return named(fromQuery, 'query parameter "switch"');

  return { ok: true, switch: defaultSwitch };
}

function named(value: unknown, where: string): SwitchRequest {
  if (typeof value !== 'string') return { ok: false, problem: `${where} must be a string, got ${kindOf(value)}` };
  if (!SWITCH_NAME_PATTERN.test(value)) {
    return { ok: false, problem: `invalid switch name ${quote(value)} in ${where}: use 1-64 characters of A-Z a-z 0-9 . _ -` };
  }
  return { ok: true, switch: value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** API Gateway sends null for a request without parameters. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function ownField(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A caller's text for a message: quoted, escaped and cut short, since it may be anything. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}
