import { isValidSwitchName } from '../switch/schema';
import { quote } from '../switch/switch-input';

/** The switch an event asks about, or why the event cannot be answered (a 400). */
export type SwitchRequest = { readonly ok: true; readonly switch: string } | { readonly ok: false; readonly problem: string };

/** A path that names a switch: `/switches/<name>`. */
const SWITCH_PATH_PREFIX = '/switches/';

/** Said in every 400 about a path, so that the caller learns the forms that work. */
const ACCEPTED_FORMS = `use ${SWITCH_PATH_PREFIX}<name>, ?switch=<name>, or / for the default switch`;

/**
 * The switch an invocation names, by the first of these that applies:
 * 1. the path parameter `switch` (an API route such as `/switches/{switch}`);
 * 2. a path `/switches/<name>`, in any proxy event: REST API (v1) and HTTP API payload 1.0 `path`, HTTP API (v2) and
 *    function URL `rawPath` (an HTTP API's named stage, which starts the path in both payload formats, is removed
 *    first; repeated slashes count as one, so `//switches//orders` names `orders`);
 * 3. the query parameter `switch`;
 * 4. a top-level string `switch`, in an event that is not an HTTP request (a direct invoke: `{"switch": "orders"}`);
 *    an HTTP request (one with `requestContext` or `httpMethod`) never carries one, so one there is refused rather
 *    than ignored;
 * 5. `defaultSwitch`, but only for an event that names no path, the empty path or exactly `/` (the Lambda console's
 *    test event checks the default switch). Any other path (`//` included) is refused: a route that reached the
 *    function by a path the handler does not understand (`/{proxy+}`, `$default`, a typo) must never quietly answer
 *    for the default switch.
 * Reads only own properties, so a hostile event cannot reach the prototype chain.
 */
export function switchRequestFrom(event: unknown, defaultSwitch: string): SwitchRequest {
  if (!isObject(event)) {
    return { ok: false, problem: `the event must be a JSON object (an API Gateway, function URL, console test or direct invoke event), got ${kindOf(event)}` };
  }
  const pathParameters = ownField(event, 'pathParameters');
  if (!isAbsent(pathParameters) && !isObject(pathParameters)) return { ok: false, problem: `pathParameters must be an object, got ${kindOf(pathParameters)}` };
  const fromPathParameter = isObject(pathParameters) ? ownField(pathParameters, 'switch') : undefined;
  if (fromPathParameter !== undefined) return named(fromPathParameter, 'path parameter "switch"');

  for (const field of ['rawPath', 'path']) {
    const value = ownField(event, field);
    if (!isAbsent(value) && typeof value !== 'string') return { ok: false, problem: `${field} must be a string, got ${kindOf(value)}` };
  }
  const path = requestPath(event);
  // Repeated slashes are one for naming a switch (`${FUNCTION_URL}/switches/x` is a common spelling), never for
  // reaching the default switch.
  const switchPath = path?.replace(/\/{2,}/g, '/');
  if (switchPath !== undefined && switchPath.startsWith(SWITCH_PATH_PREFIX)) {
    let segment = switchPath.slice(SWITCH_PATH_PREFIX.length);
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

  const fromInvoke = ownField(event, 'switch');
  if (fromInvoke !== undefined) {
    if (isHttpRequest(event)) {
      return { ok: false, problem: `the event's "switch" field is read only from a direct invoke (an event without requestContext or httpMethod): ${ACCEPTED_FORMS}` };
    }
    return named(fromInvoke, 'the event\'s "switch" field');
  }

  if (path === undefined || path === '' || path === '/') return { ok: true, switch: defaultSwitch };
  return { ok: false, problem: `no switch at the path ${quote(path)}: ${ACCEPTED_FORMS}` };
}

/**
 * The request path as the caller wrote it after the API's own prefix: `rawPath` (HTTP API, function URL) or `path`
 * (REST API, HTTP API payload 1.0), with an HTTP API's named stage removed. Undefined when the event carries no path.
 */
function requestPath(event: Record<string, unknown>): string | undefined {
  const rawPath = ownField(event, 'rawPath');
  const restPath = ownField(event, 'path');
  const path = typeof rawPath === 'string' ? rawPath : typeof restPath === 'string' ? restPath : undefined;
  if (path === undefined) return undefined;
  // An HTTP API stage other than `$default` is the path's first segment, in `rawPath` (payload 2.0) and in `path`
  // (payload 1.0, which says `version: '1.0'`); a REST API's `path` never holds it, and its events have no version.
  if (typeof rawPath === 'string' || ownField(event, 'version') === '1.0') {
    const requestContext = ownField(event, 'requestContext');
    const stage = isObject(requestContext) ? ownField(requestContext, 'stage') : undefined;
    if (typeof stage === 'string' && stage !== '$default' && stage !== '') {
      const prefix = `/${stage}`;
      if (path === prefix) return '/';
      if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
    }
  }
  return path;
}

/** Whether the event came over HTTP (API Gateway, function URL, load balancer): they all carry a request context or a method. */
function isHttpRequest(event: Record<string, unknown>): boolean {
  return ownField(event, 'requestContext') !== undefined || ownField(event, 'httpMethod') !== undefined;
}

function named(value: unknown, where: string): SwitchRequest {
  if (typeof value !== 'string') return { ok: false, problem: `${where} must be a string, got ${kindOf(value)}` };
  if (!isValidSwitchName(value)) {
    return { ok: false, problem: `invalid switch name ${quote(value, 64)} in ${where}: use 1-64 characters of A-Z a-z 0-9 . _ -` };
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
